"""Sign-in, two-factor, password reset, and the site admin's people and audit pages."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from safebabies.identity.accounts import views as accounts
from safebabies.identity.forms import SignInForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/language/", accounts.choose_language, name="choose-language"),
    path("accounts/login/link/", accounts.sign_in_link_request, name="sign-in-link-request"),
    path("accounts/login/link/<str:token>/", accounts.sign_in_link, name="sign-in-link"),
    # --- Accounts and security (issue 9) ---
    path("accounts/two-factor/", accounts.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", accounts.two_factor_setup, name="two-factor-setup"),
    path("accounts/security/", accounts.security, name="account-security"),
    path("accounts/session/keepalive/", accounts.session_keepalive, name="session-keepalive"),
    path(
        "accounts/sign-out-everywhere/",
        accounts.sign_out_everywhere,
        name="sign-out-everywhere",
    ),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"site_url": settings.SITE_URL},
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/sites/<slug:site_slug>/people/", accounts.people, name="account-people"),
    path(
        "accounts/sites/<slug:site_slug>/people/invite/",
        accounts.person_invite,
        name="account-invite",
    ),
    path(
        "accounts/sites/<slug:site_slug>/people/<int:user_id>/",
        accounts.person_edit,
        name="account-person",
    ),
    path(
        "accounts/sites/<slug:site_slug>/people/<int:user_id>/deactivate/",
        accounts.person_deactivate,
        name="account-deactivate",
    ),
    path(
        "accounts/sites/<slug:site_slug>/people/<int:user_id>/reactivate/",
        accounts.person_reactivate,
        name="account-reactivate",
    ),
    # the audit trail's pages name families: they are in safebabies/trail/urls.py
    # --- end of accounts and security ---
]
