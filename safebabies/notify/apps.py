from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "safebabies.notify"
    label = "notify"
    verbose_name = "Reminders and notifications"
