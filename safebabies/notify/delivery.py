"""Sending one message to one recipient, at most once.

`deliver` first claims the reminder by inserting its `SentReminder` row (kind, object,
recipient, occasion: a unique constraint); only the process whose insert succeeds sends. If
sending fails the claim is removed, so the next run tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from safebabies.notify.messages import render_text
from safebabies.notify.models import Notification, NotificationPreference, SentReminder
from safebabies.notify.sms import get_sms_backend

log = logging.getLogger(__name__)


def language_code(value: str) -> str:
    """'es' for Spanish however it is written ('es', 'Spanish', 'Español'), else 'en'."""
    value = (value or "").strip().lower()
    return "es" if value.startswith(("es", "span")) else "en"


@dataclass(frozen=True)
class Recipient:
    key: str  # "user:<pk>" or "person:<id>"
    email: str = ""
    phone: str = ""
    language: str = "en"
    user: Any = None  # a User gets an in-app notification and chooses their channel

    @classmethod
    def for_user(cls, user: Any) -> Recipient:
        return cls(
            key=f"user:{user.pk}",
            email=user.email,
            language=language_code(user.preferred_language),
            user=user,
        )

    @classmethod
    def for_person(cls, person: Any) -> Recipient:
        return cls(
            key=f"person:{person.pk}",
            email=person.email,
            phone=person.phone,
            language=language_code(person.preferred_language),
        )


@dataclass
class Message:
    kind: str  # a key of messages.TEXTS
    object_id: str
    occasion: str
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""  # a path on the site
    ics: bytes | None = None
    ics_method: str = "REQUEST"
    # words for the in-app notification only (behind sign-in), over `context`: a name, say,
    # that the e-mail copy leaves out
    private: dict[str, Any] = field(default_factory=dict)


def case_of_link(link: str) -> str:
    """The case a message's link leads into ("/cases/<id>/..."), "" for any other page."""
    path = urlsplit(link or "").path
    try:
        match = resolve(path) if path else None
    except Resolver404:
        return ""
    return str(match.kwargs.get("case_id", "")) if match is not None else ""


def deliver(message: Message, recipient: Recipient) -> bool:
    """Claim and send; False when it was already sent (or sending failed and was released)."""
    channel = _channel(recipient)
    try:
        with transaction.atomic():
            claim = SentReminder.objects.create(
                kind=message.kind,
                object_id=message.object_id,
                recipient=recipient.key,
                occasion=message.occasion,
                channel=channel,
            )
    except IntegrityError:
        return False
    try:
        _send(message, recipient, channel)
    except OSError:  # SMTP errors are OSErrors; the next run tries again
        log.exception("could not send %s to %s", message.kind, recipient.key)
        SentReminder.objects.filter(pk=claim.pk).delete()
        return False
    return True


def _channel(recipient: Recipient) -> str:
    if recipient.user is not None:
        pref = NotificationPreference.objects.filter(user=recipient.user).first()
        if pref is not None and pref.channel == NotificationPreference.Channel.IN_APP:
            return "in_app"
        return "email" if recipient.email else "in_app"
    if recipient.email:
        return "email"
    return "sms" if recipient.phone else "none"


def _send(message: Message, recipient: Recipient, channel: str) -> None:
    subject, paragraphs = render_text(message.kind, recipient.language, message.context)
    link = settings.SITE_URL + (message.link or "/")
    if recipient.user is not None:
        in_app = paragraphs
        if message.private:
            _, in_app = render_text(
                message.kind, recipient.language, {**message.context, **message.private}
            )
        Notification.objects.create(
            user=recipient.user,
            kind=message.kind,
            subject=subject,
            body="\n\n".join(in_app),
            link=message.link,
            case_id=case_of_link(message.link),
            object_id=message.object_id,
        )
    if channel == "email":
        _send_email(message, recipient, subject, paragraphs, link)
    elif channel == "sms":
        get_sms_backend().send(recipient.phone, f"Safe Babies: {subject}. {link}")


def _send_email(
    message: Message, recipient: Recipient, subject: str, paragraphs: list[str], link: str
) -> None:
    context = {
        "subject": subject,
        "paragraphs": paragraphs,
        "link": link,
        "sign_in_url": f"{settings.SITE_URL}/accounts/login/",
        "language": recipient.language,
        "preferences_url": f"{settings.SITE_URL}/notifications/settings/",
        "is_user": recipient.user is not None,
    }
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    email.attach_alternative(render_to_string("email/message.html", context), "text/html")
    if message.ics is not None:
        email.attach("invitation.ics", message.ics, f"text/calendar; method={message.ics_method}")
    email.send()
