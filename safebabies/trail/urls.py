from django.urls import path

from safebabies.trail import views

urlpatterns = [
    path("accounts/sites/<slug:site_slug>/audit/", views.audit_events, name="account-audit"),
    path(
        "accounts/sites/<slug:site_slug>/audit.csv",
        views.audit_events_csv,
        name="account-audit-csv",
    ),
]
