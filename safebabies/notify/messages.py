"""The words of each reminder and alert, in English and Spanish. Subjects never carry a name:
the details are behind the sign-in link."""

from __future__ import annotations

from typing import Any

# kind -> language -> (subject, paragraphs); both are str.format()ted with the message context.
TEXTS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "ftm_day_before": {
        "en": (
            "Reminder: Family Team Meeting tomorrow",
            [
                "A Family Team Meeting is planned for tomorrow, {date}{at_time}.",
                "{where}The invitation is attached; add it to your calendar.",
                "{cant_come_en}",
            ],
        ),
        "es": (
            "Recordatorio: reunión del equipo familiar mañana",
            [
                "Hay una reunión del equipo familiar mañana, {date_es}{at_time_es}.",
                "{where_es}La invitación va adjunta; agréguela a su calendario.",
                "{cant_come_es}",
            ],
        ),
    },
    "ftm_morning_of": {
        "en": (
            "Today: Family Team Meeting",
            [
                "The Family Team Meeting is today, {date}{at_time}.",
                "{where}See you there.",
                "{cant_come_en}",
            ],
        ),
        "es": (
            "Hoy: reunión del equipo familiar",
            [
                "La reunión del equipo familiar es hoy, {date_es}{at_time_es}.",
                "{where_es}",
                "{cant_come_es}",
            ],
        ),
    },
    "ftm_changed": {
        "en": (
            "Changed: Family Team Meeting",
            [
                "The Family Team Meeting has moved to {date}{at_time}.",
                "{where}The updated invitation is attached.",
            ],
        ),
        "es": (
            "Cambio: reunión del equipo familiar",
            [
                "La reunión del equipo familiar pasó al {date_es}{at_time_es}.",
                "{where_es}La invitación actualizada va adjunta.",
            ],
        ),
    },
    "ftm_cancelled": {
        "en": (
            "Cancelled: Family Team Meeting",
            ["The Family Team Meeting planned for {date} is cancelled."],
        ),
        "es": (
            "Cancelada: reunión del equipo familiar",
            ["La reunión del equipo familiar del {date_es} se canceló."],
        ),
    },
    "hearing_two_days": {
        "en": (
            "Reminder: court hearing in two days",
            [
                "A {hearing_type} hearing is scheduled for {date}{at_time}.",
                "The pre-hearing summary is ready to read after you sign in.",
            ],
        ),
        "es": (
            "Recordatorio: audiencia en dos días",
            [
                "Hay una audiencia ({hearing_type}) el {date_es}{at_time_es}.",
                "El resumen previo a la audiencia está listo al iniciar sesión.",
            ],
        ),
    },
    "hearing_family": {
        "en": (
            "Reminder: your court hearing",
            [
                "You have a court hearing on {date}{at_time}.",
                "{where}Your attorney can tell you what to expect.",
                "{cant_come_en}",
            ],
        ),
        "es": (
            "Recordatorio: su audiencia en la corte",
            [
                "Tiene una audiencia en la corte el {date_es}{at_time_es}.",
                "{where_es}Su abogado/a puede explicarle qué esperar.",
                "{cant_come_es}",
            ],
        ),
    },
    "visit_day_before": {
        "en": (
            "Reminder: family time tomorrow",
            ["You have family time tomorrow, {date}{at_time}.", "{cant_come_en}"],
        ),
        "es": (
            "Recordatorio: tiempo en familia mañana",
            ["Tiene tiempo en familia mañana, {date_es}{at_time_es}.", "{cant_come_es}"],
        ),
    },
    "cant_come": {
        "en": (
            "A parent can't come",
            [
                "{who} can't come to the {event} on {date}{at_time}.",
                "{note}Open the family's page to follow up.",
            ],
        ),
        "es": (
            "Un padre o madre no puede venir",
            [
                "{who} no puede venir a {event_es} el {date_es}{at_time_es}.",
                "{note}Abra la página de la familia para hacer seguimiento.",
            ],
        ),
    },
    "action_digest": {
        "en": (
            "Your FTM action items this week",
            ["You have {open_count} open action item(s); {overdue_count} past their due date."],
        ),
        "es": (
            "Sus tareas de las reuniones del equipo familiar esta semana",
            ["Tiene {open_count} tarea(s) abierta(s); {overdue_count} vencida(s)."],
        ),
    },
    "alert_no_ftm": {
        "en": (
            "A family has had no FTM in over a month",
            ["One of your families has had no Family Team Meeting since {last_ftm}."],
        ),
        "es": (
            "Una familia lleva más de un mes sin reunión del equipo familiar",
            ["Una de sus familias no tiene reunión del equipo familiar desde {last_ftm}."],
        ),
    },
    "alert_family_time": {
        "en": (
            "Family time below target",
            [
                "A child had {held} family time visit(s) in the last 4 weeks, {per_week} a week "
                "while in care; the target is {target} a week."
            ],
        ),
        "es": (
            "Tiempo en familia por debajo de la meta",
            [
                "Un niño tuvo {held} visita(s) familiar(es) en las últimas 4 semanas, "
                "{per_week} por semana bajo cuidado; la meta es {target} por semana."
            ],
        ),
    },
    "alert_screening_overdue": {
        "en": (
            "A screening or referral is overdue",
            ["For a child in care, this was due on {due_on} and is not recorded: {what} ({rule})."],
        ),
        "es": (
            "Un examen o una derivación está atrasado",
            [
                "Para un niño bajo cuidado, esto vencía el {due_on} y no está registrado: "
                "{what} ({rule})."
            ],
        ),
    },
    "alert_consent_expiring": {
        "en": (
            "A consent expires soon",
            ["A consent to share information expires on {expires_on}. Ask about renewing it."],
        ),
        "es": (
            "Un consentimiento vence pronto",
            ["Un consentimiento para compartir información vence el {expires_on}."],
        ),
    },
    "alert_caseload": {
        "en": (
            "Your caseload is over the site's cap",
            ["You coordinate {caseload} open families; the site's cap is {cap}."],
        ),
        "es": (
            "Su número de casos supera el límite del sitio",
            ["Coordina {caseload} familias abiertas; el límite del sitio es {cap}."],
        ),
    },
    "part2_release_recorded": {
        "en": (
            "A release of substance-use treatment records was recorded",
            [
                "{actor} recorded a release of substance-use treatment records (42 CFR Part 2) "
                "for a family of {site_name}: shared with {recipient_role}, {period}.",
                "{confirmation}Check it against the signed release on the family's page of "
                "releases.",
            ],
        ),
        "es": (
            "Se registró una autorización de registros de tratamiento por uso de sustancias",
            [
                "{actor} registró una autorización de registros de tratamiento por uso de "
                "sustancias (42 CFR Parte 2) para una familia de {site_name}.",
                "{confirmation_es}Compárela con la autorización firmada.",
            ],
        ),
    },
    "part2_release_confirmed": {
        "en": (
            "A release of substance-use treatment records is in force",
            [
                "{actor} confirmed a release of substance-use treatment records (42 CFR Part 2) "
                "for a family of {site_name}: shared with {recipient_role}, {period}. It is in "
                "force from now on."
            ],
        ),
        "es": (
            "Una autorización de registros de tratamiento por uso de sustancias está vigente",
            [
                "{actor} confirmó una autorización de registros de tratamiento por uso de "
                "sustancias (42 CFR Parte 2) para una familia de {site_name}."
            ],
        ),
    },
    "export_failed": {
        "en": (
            "The nightly data export failed",
            [
                "The export of {site_name} for {as_of} failed after several tries ({error}).",
                "The next nightly export holds every record again; check the disk and database.",
            ],
        ),
        "es": (
            "La exportación nocturna de datos falló",
            ["La exportación de {site_name} del {as_of} falló varias veces ({error})."],
        ),
    },
    "retention_due": {
        "en": (
            "Closed cases are past their retention period",
            [
                "{count} closed case(s) of {site_name} closed more than {years} years ago "
                "(the site's retention period).",
                "Seal or purge each of them on the retention page.",
            ],
        ),
        "es": (
            "Casos cerrados han superado su período de conservación",
            [
                "{count} caso(s) cerrado(s) de {site_name} se cerraron hace más de {years} años.",
                "Selle o purgue cada uno en la página de conservación.",
            ],
        ),
    },
    "transfer_requested": {
        "en": (
            "A family's case is waiting for your site to accept it",
            [
                "{from_site} asks {to_site} to take a family's case.",
                "Accept or decline it on the transfers page.",
            ],
        ),
        "es": (
            "El caso de una familia espera que su sitio lo acepte",
            [
                "{from_site} pide a {to_site} que reciba el caso de una familia.",
                "Acéptelo o recházelo en la página de traslados.",
            ],
        ),
    },
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render_text(kind: str, language: str, context: dict[str, Any]) -> tuple[str, list[str]]:
    """(subject, paragraphs) of a message in `language` ("en" or "es", English otherwise)."""
    texts = TEXTS[kind]
    subject, paragraphs = texts.get(language, texts["en"])
    values = _Blank(context)
    shown = [p.format_map(values) for p in paragraphs if p]
    return subject.format_map(values), [p for p in shown if p.strip()]
