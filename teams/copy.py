"""The family copy of an FTM: what was agreed, who does what by when, and the next date, in
plain words, in the family's language (English or Spanish). No discussion notes: only what the
family agreed to.

The words are in the app's translation catalogue (locale/es/LC_MESSAGES/django.po), written in
the copy's language whatever the page around it is in (`translation.override`); what each person
wrote stays in the words it was written in. An action item can carry the team's text in the
family's language (`family_description`, Spanish) beside the English or instead of it: the copy in
that language shows it, and each step says in which language the team wrote the text shown
(and when it is not in the copy's language, that it is not translated).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from safebabies.formats.en import formats as en
from safebabies.formats.es import formats as es
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from teams.models import Ftm, FtmActionItem

LANGUAGES = ("en", "es")

# The roles as the family copy names them (the family's words, in the catalogue)
ROLE_WORDS = {
    Role.COMMUNITY_COORDINATOR: gettext_lazy("Community Coordinator"),
    Role.CASEWORKER: gettext_lazy("caseworker"),
    Role.PARENT_ATTORNEY: gettext_lazy("parent's attorney"),
    Role.CHILD_ATTORNEY: gettext_lazy("child's attorney"),
    Role.GAL_CASA: gettext_lazy("GAL / CASA"),
    Role.CLINICIAN: gettext_lazy("clinician"),
    Role.PARENT_MENTOR: gettext_lazy("parent mentor"),
}
# "Monday 5 January 2026" / "lunes 5 de enero de 2026"
FULL_DAY = {"en": f"l {en.FAMILY_FORMAT}", "es": f"l {es.FAMILY_FORMAT}"}


def phrases(lang: str) -> dict[str, str]:
    """The fixed words of the copy in `lang`."""
    with translation.override(lang):
        return {
            "title": _("Our Family Team Meeting"),
            "intro": _("Thank you for coming. This is what we agreed together."),
            "agreed": _("What we agreed"),
            "nothing": _("We did not agree on new steps this time."),
            "next": _("Our next meeting"),
            "print": _("Print"),
            "other_language": "In English" if lang == "es" else "En español",
        }


def say_date(day: dt.date, lang: str) -> str:
    """`day` in full, in `lang`: "Monday 5 January 2026", "lunes 5 de enero de 2026"."""
    with translation.override(lang if lang in LANGUAGES else "en"):
        return dateformat.format(day, FULL_DAY.get(lang, FULL_DAY["en"]))


# The languages a step can be written in, as the copy names them
LANGUAGE_WORDS = {
    "en": pgettext_lazy("a step is written in", "English"),
    "es": pgettext_lazy("a step is written in", "Spanish"),
}


@dataclass
class CopyLine:
    what: str
    who_by: str
    lang: str = "en"  # the language `what` is written in
    written: str = ""  # which text the team wrote: "Written by your team in Spanish."


def _step_text(item: FtmActionItem, lang: str) -> tuple[str, str, str]:
    """(text, its language, the note saying who wrote it in which language) for the copy in
    `lang`: the team's text in that language when there is one, else the one they wrote."""
    family_lang = item.family_language or "es"
    if item.family_description and (lang == family_lang or not item.description):
        text, text_lang = item.family_description, family_lang
    else:
        text, text_lang = item.description, "en"
    language = str(LANGUAGE_WORDS.get(text_lang, text_lang))
    if text_lang == lang:
        note = _("Written by your team in %(language)s.") % {"language": language}
    else:
        note = _("Your team wrote this in %(language)s. It is not translated.") % {
            "language": language
        }
    return text, text_lang, note


@dataclass
class FamilyCopy:
    phrases: dict[str, str]
    met_on: str
    lines: list[CopyLine]
    next_line: str
    questions: str
    facilitated: str = ""


def _who(item: FtmActionItem) -> str:
    """Who does a step, in the active language."""
    if item.owner_person_id:
        return f"{item.owner_person}"
    if item.owner_id:
        role = item.owner_role
        label = str(ROLE_WORDS.get(Role(role), "")) if role in Role.values else ""
        name = str(item.owner)
        return _("%(name)s, %(role)s") % {"name": name, "role": label} if label else name
    return _("You (the family)") if item.owner_role in ("", "parent") else _("The team")


def family_copy_text(
    *,
    ftm: Ftm,
    items: list[FtmActionItem],
    next_on: dt.date | None,
    coordinator: User | None,
    lang: str,
) -> FamilyCopy:
    """`next_on`: the next meeting's date as the calendar has it (`selectors.next_meeting`);
    `coordinator`: the family's Community Coordinator, whom the family may call or write to."""
    lang = lang if lang in LANGUAGES else "en"
    with translation.override(lang):
        lines = []
        for item in items:
            if item.status == "dropped":
                continue
            text, text_lang, note = _step_text(item, lang)
            lines.append(
                CopyLine(
                    what=text,
                    who_by=_("%(who)s will do this by %(date)s.")
                    % {"who": _who(item), "date": say_date(item.due_on, lang)},
                    lang=text_lang,
                    written=note,
                )
            )
        if next_on:
            next_line = _("We will meet again on %(date)s.") % {"date": say_date(next_on, lang)}
        else:
            next_line = _("We will agree on the next date soon.")
        questions = ""
        if coordinator and coordinator.phone:
            questions = _(
                "Questions? Call or text your Community Coordinator, %(name)s, at %(phone)s, "
                "or write to %(email)s."
            ) % {"name": coordinator, "phone": coordinator.phone, "email": coordinator.email}
        elif coordinator:
            questions = _(
                "Questions? Write to or call your Community Coordinator, %(name)s: %(email)s."
            ) % {"name": coordinator, "email": coordinator.email}
        facilitated = ""
        if ftm.facilitator_name:
            if ftm.facilitator_organisation:
                facilitated = _("%(name)s, of %(organisation)s, led our meeting.") % {
                    "name": ftm.facilitator_name,
                    "organisation": ftm.facilitator_organisation,
                }
            else:
                facilitated = _("%(name)s led our meeting.") % {"name": ftm.facilitator_name}
        return FamilyCopy(
            facilitated=facilitated,
            phrases=phrases(lang),
            met_on=_("We met on %(date)s.") % {"date": say_date(ftm.scheduled_on, lang)},
            lines=lines,
            next_line=next_line,
            questions=questions,
        )
