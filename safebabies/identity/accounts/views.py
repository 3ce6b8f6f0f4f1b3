"""Account pages: two-factor sign-in, sessions, and the site admin's people and audit pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_tables2 import RequestConfig

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts import links, selectors, services, twofactor
from safebabies.identity.accounts.forms import (
    CodeForm,
    EnrolForm,
    InviteForm,
    LinkRequestForm,
    PhoneForm,
    RolesForm,
)
from safebabies.identity.accounts.tables import PeopleTable
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.roles import Role


def _next_url(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


# --- Language ---------------------------------------------------------------------------------


@login_not_required
@require_POST
def choose_language(request: AuthenticatedRequest) -> HttpResponse:
    """The language switch on every page: English or Spanish. A signed-in person's choice is
    kept on their account (their pages, reminders and family copies follow it); anyone's is
    kept in the language cookie, which the sign-in page reads. Back to `next` (this site only)."""
    language = request.POST.get("language", "")
    response = redirect(_next_url(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.language_set(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


# --- Sign-in links (parents with no password) ---------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_link_request(request: AuthenticatedRequest) -> HttpResponse:
    """ "Send me a sign-in link": the same answer whether or not the address may sign in by link
    (nothing says whether an account exists); a link is sent only to a parent who chose links.
    A few requests an hour per address and per network address (`services.link_throttled`)."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_in_link_send(
            email=form.cleaned_data["email"], address=request.META.get("REMOTE_ADDR", "")
        )
        return render(request, "registration/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "registration/link_request.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_link(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The link in the e-mail. Opening it shows one button (so that a mail scanner following
    links does not use it up); pressing it signs the parent in, once."""
    user = links.user_of_link(token)
    if user is None:
        return render(request, "registration/link_expired.html", status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/link_sign_in.html", {"link_user": user})


# --- Two-factor sign-in ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    """The second step after the password: a code from the app, or a recovery code."""
    user = request.user
    if not twofactor.has_second_factor(user):
        return redirect("two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.check_code(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        audit_log(
            actor=user,
            action=AuditEvent.Action.SIGN_IN_FAILED,
            record=user,
            detail={"second_factor": True},
            request=request,
        )
        form.add_error(
            "code", translation.gettext("That code did not match. Check the app and try again.")
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Enrolment: scan the QR code, type a code to confirm, keep the recovery codes.

    Someone who already has an authenticator must pass the second step before replacing it."""
    user = request.user
    verified = user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
    if twofactor.has_second_factor(user) and not verified:
        return redirect("two-factor-verify")
    device = twofactor.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = twofactor.two_factor_enrol(
            user=user, device=device, code=form.cleaned_data["code"], request=request
        )
        if enrolment is not None:
            otp_login(request, enrolment.device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": enrolment.recovery_codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            translation.gettext("That code did not match. Check the time on your phone and retry."),
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": twofactor.qr_svg_data_uri(device),
            "secret": twofactor.secret_for_typing(device),
            "next": _next_url(request),
        },
    )


# --- Sessions ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def security(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own sign-in settings: two-factor status and sign-out everywhere; and the
    work phone families may call or text them at (POST saves it)."""
    form = PhoneForm(request.POST or None, initial={"phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_phone_set(
                user=request.user,
                phone=form.cleaned_data["phone"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your phone number is saved."))
            return redirect("account-security")
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": twofactor.has_second_factor(request.user),
            "two_factor_required": twofactor.two_factor_required(request.user),
            "phone_form": form,
        },
    )


@require_POST
def session_keepalive(request: AuthenticatedRequest) -> HttpResponse:
    """Restarts the idle clock (SESSION_SAVE_EVERY_REQUEST saves the session)."""
    return HttpResponse(status=204)


@require_POST
def sign_out_everywhere(request: AuthenticatedRequest) -> HttpResponse:
    services.user_sign_out_everywhere(user=request.user, actor=request.user, request=request)
    logout(request)
    messages.success(request, _("You are signed out on every device, and your API tokens end."))
    return redirect("login")


# --- People of a site (site admins) -----------------------------------------------------------


@require_http_methods(["GET"])
def people(request: AuthenticatedRequest, site_slug: str) -> HttpResponse:
    site = selectors.admin_site(request.user, site_slug)
    rows = selectors.site_people(site)
    table = PeopleTable(rows)
    RequestConfig(request, paginate=False).configure(table)
    undo = None
    undone = request.GET.get("deactivated", "")
    for row in rows:  # just deactivated: the page offers to undo it
        if undone.isdigit() and row.user.pk == int(undone) and not row.active:
            undo = {"user": row.user, "roles": row.roles.removeprefix("Had: ")}
    return render(request, "accounts/people.html", {"site": site, "table": table, "undo": undo})


@require_http_methods(["GET", "POST"])
def person_invite(request: AuthenticatedRequest, site_slug: str) -> HttpResponse:
    site = selectors.admin_site(request.user, site_slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_invite(
                actor=request.user, site=site, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("account-people", site_slug=site.slug)
    return render(request, "accounts/invite.html", {"site": site, "form": form})


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, site_slug: str, user_id: int) -> HttpResponse:
    site = selectors.admin_site(request.user, site_slug)
    person, held = selectors.site_person(site, user_id)
    form = RolesForm(request.POST or None, initial={"roles": sorted(held), "phone": person.phone})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.user_phone_set(
                    user=person,
                    phone=form.cleaned_data["phone"],
                    actor=request.user,
                    site=site,
                    request=request,
                )
                services.membership_set_roles(
                    actor=request.user,
                    site=site,
                    user=person,
                    roles=form.cleaned_data["roles"],
                    request=request,
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Roles of {person} saved.")
            return redirect("account-people", site_slug=site.slug)
    return render(request, "accounts/person.html", {"site": site, "person": person, "form": form})


@require_http_methods(["GET", "POST"])
def person_deactivate(request: AuthenticatedRequest, site_slug: str, user_id: int) -> HttpResponse:
    """GET asks to confirm (naming what the person loses); POST deactivates, and the People
    page then offers to undo it."""
    site = selectors.admin_site(request.user, site_slug)
    person, held = selectors.site_person(site, user_id)
    if not held:
        messages.info(request, f"{person} holds no role at {site}.")
        return redirect("account-people", site_slug=site.slug)
    if request.method == "GET":
        labels = sorted(str(Role(role).label) for role in held)
        return render(
            request,
            "accounts/deactivate.html",
            {"site": site, "person": person, "roles": labels},
        )
    try:
        services.account_deactivate(actor=request.user, site=site, user=person, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("account-people", site_slug=site.slug)
    return redirect(f"{reverse('account-people', args=[site.slug])}?deactivated={person.pk}")


@require_POST
def person_reactivate(request: AuthenticatedRequest, site_slug: str, user_id: int) -> HttpResponse:
    """Undoes a deactivation: the roles and family-team places the person had then."""
    site = selectors.admin_site(request.user, site_slug)
    person, _held = selectors.site_person(site, user_id)
    try:
        roles = services.account_reactivate(
            actor=request.user, site=site, user=person, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        labels = ", ".join(sorted(str(Role(role).label) for role in roles))
        messages.success(request, f"{person} is active again at {site}: {labels}.")
    return redirect("account-people", site_slug=site.slug)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
