"""The family copy of an FTM: what was agreed, who does what by when, and the next date, in
plain words, in English or Spanish. No discussion notes: only what the family agreed to.

The phrases are translated here by hand (the app has no translation catalogue yet); what each
person wrote (an action item's description) stays in the words it was written in.
"""

import datetime as dt
from dataclasses import dataclass

from safebabies.identity.models import User
from safebabies.identity.roles import Role
from teams.models import Ftm, FtmActionItem

PHRASES = {
    "en": {
        "title": "Our Family Team Meeting",
        "intro": "Thank you for coming. This is what we agreed together.",
        "met_on": "We met on {date}.",
        "agreed": "What we agreed",
        "nothing": "We did not agree on new steps this time.",
        "who_by": "{who} will do this by {date}.",
        "you": "You (the family)",
        "team_member": "{name}, {role}",
        "someone": "The team",
        "next": "Our next meeting",
        "next_on": "We will meet again on {date}.",
        "next_unknown": "We will agree on the next date soon.",
        "questions": "Questions? Call or text your Community Coordinator, {name}.",
        "print": "Print",
        "other_language": "En español",
    },
    "es": {
        "title": "Nuestra Reunión del Equipo Familiar",
        "intro": "Gracias por venir. Esto es lo que acordamos juntos.",
        "met_on": "Nos reunimos el {date}.",
        "agreed": "Lo que acordamos",
        "nothing": "Esta vez no acordamos pasos nuevos.",
        "who_by": "{who} lo hará antes del {date}.",
        "you": "Ustedes (la familia)",
        "team_member": "{name}, {role}",
        "someone": "El equipo",
        "next": "Nuestra próxima reunión",
        "next_on": "Nos volveremos a reunir el {date}.",
        "next_unknown": "Pronto acordaremos la próxima fecha.",
        "questions": (
            "¿Preguntas? Llame o envíe un mensaje a su Coordinador/a Comunitario/a, {name}."
        ),
        "print": "Imprimir",
        "other_language": "In English",
    },
}

ROLES_ES = {
    Role.COMMUNITY_COORDINATOR: "Coordinador/a Comunitario/a",
    Role.CASEWORKER: "trabajador/a social",
    Role.PARENT_ATTORNEY: "abogado/a de los padres",
    Role.CHILD_ATTORNEY: "abogado/a del niño",
    Role.GAL_CASA: "GAL / CASA",
    Role.CLINICIAN: "terapeuta",
    Role.PARENT_MENTOR: "mentor/a de padres",
}

MONTHS_ES = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]  # fmt: skip
DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def say_date(day: dt.date, lang: str) -> str:
    if lang == "es":
        return f"{DAYS_ES[day.weekday()]} {day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass
class CopyLine:
    what: str
    who_by: str


@dataclass
class FamilyCopy:
    phrases: dict[str, str]
    met_on: str
    lines: list[CopyLine]
    next_line: str
    questions: str


def _who(item: FtmActionItem, lang: str, phrases: dict[str, str]) -> str:
    if item.owner_person_id:
        return f"{item.owner_person}"
    if item.owner_id:
        role = item.owner_role
        if lang == "es":
            label = ROLES_ES.get(Role(role), "") if role in Role.values else ""
        else:
            label = str(Role(role).label) if role in Role.values else ""
        name = str(item.owner)
        return phrases["team_member"].format(name=name, role=label) if label else name
    return phrases["you"] if item.owner_role in ("", "parent") else phrases["someone"]


def family_copy_text(
    *,
    ftm: Ftm,
    items: list[FtmActionItem],
    next_on: dt.date | None,
    coordinator: User | None,
    lang: str,
) -> FamilyCopy:
    """`next_on`: the next meeting's date as the calendar has it (`selectors.next_meeting`);
    `coordinator`: the family's Community Coordinator, whom the family may call."""
    phrases = PHRASES[lang]
    lines = [
        CopyLine(
            what=item.description,
            who_by=phrases["who_by"].format(
                who=_who(item, lang, phrases), date=say_date(item.due_on, lang)
            ),
        )
        for item in items
        if item.status != "dropped"
    ]
    if next_on:
        next_line = phrases["next_on"].format(date=say_date(next_on, lang))
    else:
        next_line = phrases["next_unknown"]
    return FamilyCopy(
        phrases=phrases,
        met_on=phrases["met_on"].format(date=say_date(ftm.scheduled_on, lang)),
        lines=lines,
        next_line=next_line,
        questions=phrases["questions"].format(name=coordinator) if coordinator else "",
    )
