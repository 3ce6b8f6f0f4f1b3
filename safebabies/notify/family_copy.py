"""An FTM's family copy that reaches the family: by e-mail or text message, or as a PDF to hand
over in person.

Only to people of the case who agreed to receive the copy that way (`Person.family_copies`), in
the person's language, with their Community Coordinator's phone and e-mail. The e-mail and the
text message hold no detail of the family: that a copy is ready, a link to it behind sign-in
(so only to a person who can sign in: a parent whose account is linked to their person), and
whom to call. The PDF holds the copy itself, and is for handing over. Every send and every PDF
is audited on the meeting (`export`, with the channel, the person and the language).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cases.access import parent_places_in_force
from cases.models import Person
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import User
from safebabies.notify.delivery import language_code
from safebabies.notify.sms import get_sms_backend
from teams import selectors
from teams.copy import FamilyCopy, family_copy_text
from teams.models import Ftm

Channel = Person.CopyChannel
SENT_BY_MESSAGE = (Channel.EMAIL, Channel.TEXT)


@dataclass
class CopyRecipient:
    """A person of the case, the ways they agreed to receive copies, and which of those work
    now (`ready`: channel -> True, or the reason it does not, in words for the coordinator)."""

    person: Person
    language: str
    ready: dict[str, bool | str] = field(default_factory=dict)


def copy_of(ftm: Ftm, lang: str, person: Person) -> FamilyCopy:
    """The family copy of `ftm` in `lang` for `person`, as the family copy page shows it to
    them: the team's steps and their own, not another family member's."""
    return family_copy_text(
        ftm=ftm,
        items=selectors.family_copy_items(ftm, {person.pk}),
        next_on=selectors.next_meeting(ftm).on,
        coordinator=selectors.coordinator_of(ftm.case),
        lang=lang,
    )


def _signs_in(people: list[Person]) -> set[str]:
    """The people among `people` whose account is linked to them (a parent's place in force)."""
    return set(
        parent_places_in_force()
        .filter(person_id__in=[p.pk for p in people])
        .values_list("person_id", flat=True)
    )


def recipients(people: list[Person]) -> list[CopyRecipient]:
    """The people (of one case, read through the access module) who agreed to receive family
    copies, each with the ways that work now."""
    agreed = [p for p in people if p.family_copies]
    signing_in = _signs_in(agreed)
    rows = []
    for person in agreed:
        row = CopyRecipient(person=person, language=language_code(person.preferred_language))
        for channel in person.family_copies:
            row.ready[channel] = _ready(person, channel, person.pk in signing_in)
        rows.append(row)
    return rows


def _ready(person: Person, channel: str, signs_in: bool) -> bool | str:
    if channel == Channel.PAPER:
        return True
    if channel == Channel.EMAIL and not person.email:
        return "No e-mail address on their details."
    if channel == Channel.TEXT and not person.phone:
        return "No phone number on their details."
    if not signs_in:
        return "They cannot sign in yet: invite them to their own view, or hand over the PDF."
    return True


def check_may_receive(ftm: Ftm, person: Person, channel: str) -> None:
    """A ValidationError naming `channel` unless `person` may get `ftm`'s copy by `channel`."""
    if ftm.status != codes.FtmStatus.HELD:
        raise ValidationError(
            {"channel": "The family copy is ready once the meeting is marked held."}
        )
    if person.case_id != ftm.case_id:
        raise ValidationError({"person": "This person is not of this family."})
    if channel not in Channel.values:
        raise ValidationError({"channel": "Choose e-mail, text message or paper."})
    if channel not in person.family_copies:
        raise ValidationError(
            {
                "channel": f"{person} did not agree to receive family copies "
                f"{Channel(channel).label.split(' (')[0].lower()}."
            }
        )
    ready = _ready(person, channel, bool(_signs_in([person])))
    if ready is not True:
        raise ValidationError({"channel": str(ready)})


def message_words(ftm: Ftm, lang: str) -> dict[str, str]:
    """The words of the e-mail and text message in `lang`: no name of the family, no detail of
    the meeting; the link (behind sign-in) and whom to call."""
    coordinator: User | None = selectors.coordinator_of(ftm.case)
    link = settings.SITE_URL + reverse("ftm-family-copy", args=[ftm.pk]) + f"?lang={lang}"
    with translation.override(lang):
        words = {
            "subject": _("What we agreed at your Family Team Meeting"),
            "ready": _("The copy of your last Family Team Meeting is ready."),
            "sign_in": _("Sign in to read it: %(link)s") % {"link": link},
            "questions": "",
            "link": link,
        }
        if coordinator is not None:
            name = coordinator.full_name or coordinator.email
            if coordinator.phone:
                words["questions"] = _(
                    "Questions? Call or text your Community Coordinator, %(name)s, at "
                    "%(phone)s, or write to %(email)s."
                ) % {"name": name, "phone": coordinator.phone, "email": coordinator.email}
            else:
                words["questions"] = _(
                    "Questions? Write to your Community Coordinator, %(name)s: %(email)s."
                ) % {"name": name, "email": coordinator.email}
    return words


@transaction.atomic
def family_copy_send(
    *, ftm: Ftm, person: Person, channel: str, actor: User, request: HttpRequest | None = None
) -> str:
    """Sends `ftm`'s family copy to `person` by e-mail or text message (a link behind sign-in)
    in their language, after the commit; audited. Returns the address or number it went to."""
    if channel not in SENT_BY_MESSAGE:
        raise ValidationError({"channel": "Send by e-mail or text message; print the PDF."})
    check_may_receive(ftm, person, channel)
    lang = language_code(person.preferred_language)
    words = message_words(ftm, lang)
    if channel == Channel.EMAIL:
        to = person.email
        body = render_to_string("family/email/family_copy.txt", {"words": words})
        transaction.on_commit(
            lambda: send_mail(words["subject"], body, settings.DEFAULT_FROM_EMAIL, [to])
        )
    else:
        to = person.phone
        text = " ".join(x for x in (words["ready"], words["sign_in"], words["questions"]) if x)
        transaction.on_commit(lambda: get_sms_backend().send(to, f"Safe Babies: {text}"))
    audit_log(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        record=ftm,
        case_id=ftm.case_id,
        site_id=ftm.case.site_id,
        detail={"family_copy": channel, "person": person.pk, "language": lang},
        request=request,
    )
    return to


def family_copy_pdf(
    *, ftm: Ftm, person: Person, actor: User, request: HttpRequest | None = None
) -> bytes:
    """The family copy as a PDF, in `person`'s language, to print and hand over; only for a
    person who agreed to receive copies on paper. Audited."""
    check_may_receive(ftm, person, Channel.PAPER)
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    lang = language_code(person.preferred_language)
    copy = copy_of(ftm, lang, person)
    html = render_to_string("ftms/family_copy_pdf.html", {"copy": copy, "lang": lang})
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    audit_log(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        record=ftm,
        case_id=ftm.case_id,
        site_id=ftm.case.site_id,
        detail={"family_copy": Channel.PAPER, "person": person.pk, "language": lang},
        request=request,
    )
    return pdf
