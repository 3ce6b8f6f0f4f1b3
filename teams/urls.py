from django.contrib.auth import views as auth_views
from django.urls import path

from teams import views
from teams.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# --- Family Team Meetings (teams/ftm_views.py) ---
from teams import ftm_views  # noqa: E402

urlpatterns += [
    path("cases/<str:case_id>/ftms/", ftm_views.case_ftms, name="case-ftms"),
    path("cases/<str:case_id>/ftms/new/", ftm_views.ftm_new, name="ftm-new"),
    path("ftms/<str:ftm_id>/", ftm_views.ftm_summary, name="ftm-summary"),
    path("ftms/<str:ftm_id>/log/", ftm_views.ftm_log_page, name="ftm-log"),
    path("ftms/<str:ftm_id>/save/", ftm_views.ftm_save, name="ftm-save"),
    path("ftms/<str:ftm_id>/held/", ftm_views.ftm_held, name="ftm-held"),
    path("ftms/<str:ftm_id>/family/", ftm_views.ftm_family_copy, name="ftm-family-copy"),
]
