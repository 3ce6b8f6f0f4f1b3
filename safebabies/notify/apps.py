from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "safebabies.notify"
    label = "notify"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from safebabies.notify import services  # noqa: F401 - connects the feeds' revocation
