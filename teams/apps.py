from django.apps import AppConfig


class TeamsConfig(AppConfig):
    """The family team's meetings: FTMs, who came, and their action items.

    Its models moved here from the identity app (label `teams`) with state-only migrations:
    their tables keep their names (`teams_ftm`, ...), hence the label `ftms`.
    """

    name = "teams"
    label = "ftms"
    verbose_name = "Family Team Meetings"
