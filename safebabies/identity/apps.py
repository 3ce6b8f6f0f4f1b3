from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """People, sites, roles and sign-in: the layer every feature stands on.

    The label stays `teams` (the app's name before the FTM feature took the `teams/` folder), so
    that the user model (`AUTH_USER_MODEL = "teams.User"`), its tables, foreign keys, content
    types and migration history are unchanged.
    """

    name = "safebabies.identity"
    label = "teams"
    verbose_name = "Sites, people and access"

    def ready(self) -> None:
        from safebabies.identity import signals  # noqa: F401 - connects the audit receivers
