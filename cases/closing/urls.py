from django.urls import path

from cases.closing import views

urlpatterns = [
    path("cases/<str:case_id>/close/", views.case_close, name="case-close"),
    path("cases/<str:case_id>/reopen/", views.case_reopen, name="case-reopen"),
    path("cases/<str:case_id>/transfer/", views.case_transfer, name="case-transfer"),
    path(
        "cases/<str:case_id>/transfers/<str:transfer_id>/withdraw/",
        views.transfer_withdraw,
        name="transfer-withdraw",
    ),
    path("cases/<str:case_id>/seal/", views.case_seal, name="case-seal"),
    path("cases/<str:case_id>/purge/", views.case_purge, name="case-purge"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/<str:transfer_id>/", views.transfer_decide, name="transfer-decide"),
    path("retention/<slug:site_slug>/", views.retention, name="retention"),
]
