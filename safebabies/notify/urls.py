from django.urls import path

from safebabies.notify import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/calendar/new/", views.calendar_feed_new, name="calendar-feed-new"),
    path("notifications/calendar/revoke/", views.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
