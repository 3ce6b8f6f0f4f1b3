from django.urls import path

from community import views

urlpatterns = [
    path("act/", views.act_home, name="act-home"),
    path("act/members/new/", views.act_member_new, name="act-member-new"),
    path("act/members/<str:member_id>/", views.act_member_edit, name="act-member-edit"),
    path("act/meetings/new/", views.act_meeting_new, name="act-meeting-new"),
    path("act/meetings/<str:meeting_id>/", views.act_meeting, name="act-meeting"),
    path("act/meetings/<str:meeting_id>/edit/", views.act_meeting_edit, name="act-meeting-edit"),
    path(
        "act/meetings/<str:meeting_id>/decisions/",
        views.act_decision_add,
        name="act-decision-add",
    ),
    path("act/meetings/<str:meeting_id>/items/", views.act_item_add, name="act-item-add"),
    path("act/items/<str:item_id>/done/", views.act_item_done, name="act-item-done"),
    path("act/cycles/new/", views.cycle_new, name="act-cycle-new"),
    path("act/cycles/<str:cycle_id>/", views.act_cycle, name="act-cycle"),
    path("act/cycles/<str:cycle_id>/edit/", views.cycle_edit, name="act-cycle-edit"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_new, name="provider-new"),
    path("providers/<str:provider_id>/", views.provider_detail, name="provider-detail"),
    path("providers/<str:provider_id>/edit/", views.provider_edit, name="provider-edit"),
    path(
        "cases/<str:case_id>/plan/services/<str:service_id>/feedback/",
        views.referral_feedback,
        name="referral-feedback",
    ),
]
