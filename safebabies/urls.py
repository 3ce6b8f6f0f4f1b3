from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from safebabies import family, home, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", home.home, name="home"),
    path("family/items/<str:item_id>/done/", family.family_item_done, name="family-item-done"),
    path("family/cant-come/<str:token>/", family.family_cant_come, name="family-cant-come"),
    path(
        "family/calendar/<str:kind>/<str:event_id>/",
        family.family_calendar,
        name="family-calendar",
    ),
    path(
        "ftms/<str:ftm_id>/family/send/",
        family.family_copy_send_page,
        name="ftm-family-copy-send",
    ),
    path(
        "ftms/<str:ftm_id>/family/pdf/<str:person_id>/",
        family.family_copy_pdf_download,
        name="ftm-family-copy-pdf",
    ),
    path(
        "cases/<str:case_id>/people/<str:person_id>/invite/",
        family.parent_invite,
        name="parent-invite",
    ),
    path("", include("safebabies.identity.urls")),
    path("", include("teams.urls")),
    path("", include("cases.closing.urls")),
    path("cases/", include("cases.urls")),
    # Each app's pages carry their full path (most under cases/<case_id>/...).
    path("", include("assessments.urls")),
    path("", include("familytime.urls")),
    path("", include("workforce.urls")),
    path("", include("community.urls")),
    path("", include("cqi.urls")),
    path("", include("safebabies.exports.urls")),
    path("", include("safebabies.notify.urls")),
    path("", include("safebabies.trail.urls")),
    path("api/v1/", include("safebabies.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs are a page for people: signed out, they go to the sign-in page first.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
