from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Sites, people and access"

    def ready(self) -> None:
        from teams import signals  # noqa: F401 - connects the audit receivers
