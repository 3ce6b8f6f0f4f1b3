"""Sign-in, refused sign-in and sign-out go to the audit trail; `role_withdrawn` tells the
layers above that a person no longer holds a role at a site."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log

# Sent inside the transaction that takes a role away from a person at a site, with `actor`,
# `site`, `user`, `role` and `request`. The identity layer knows nothing of family teams: the
# case layer listens and ends the person's team places in that role (`cases.services`).
role_withdrawn = Signal()

# Sent inside the transaction that gives a role back (undoing a deactivation), with `actor`,
# `site`, `user`, `role`, `since` (when it was taken away) and `request`: the case layer gives
# back the family-team places in that role that ended then (`cases.services`).
role_restored = Signal()

# Sent inside the transaction of "sign out everywhere", with `user`, `actor` and `request`:
# the layers above end whatever else the person reaches without a session (calendar feeds).
signed_out_everywhere = Signal()


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs):
    audit_log(actor=user, action=AuditEvent.Action.SIGN_IN, record=user, request=request)


@receiver(user_logged_in, dispatch_uid="session_signed_in_at")
def start_session_clock(sender, request, user, **kwargs):
    """The absolute session lifetime counts from here (accounts/middleware.py)."""
    session = getattr(request, "session", None)
    if session is not None:
        session["signed_in_at"] = time.time()


@receiver(user_logged_in, dispatch_uid="session_site_time_zone")
def remember_site_time_zone(sender, request, user, **kwargs):
    """Pages are shown in the person's site's time zone (accounts/middleware.py)."""
    from safebabies.identity.accounts.middleware import SITE_TIME_ZONE
    from safebabies.identity.selectors import home_time_zone

    session = getattr(request, "session", None)
    if session is not None:
        session[SITE_TIME_ZONE] = home_time_zone(user)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action=AuditEvent.Action.SIGN_OUT, record=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    """The account tried, when the e-mail belongs to one; never the text typed (it might be a
    password typed in the wrong box)."""
    user_model = get_user_model()
    email = str(credentials.get("username") or credentials.get("email") or "")
    user = user_model.objects.filter(email__iexact=email).first() if email else None
    audit_log(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        record_type=user_model._meta.label_lower,
        record_id=str(user.pk) if user is not None else "",
        detail={"account_known": user is not None},
        request=request,
    )
