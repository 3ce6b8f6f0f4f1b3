from django.apps import AppConfig


class FamilytimeConfig(AppConfig):
    name = "familytime"
    verbose_name = "Family time"
