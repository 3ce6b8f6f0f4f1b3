from django.apps import AppConfig


class CqiConfig(AppConfig):
    name = "cqi"
    verbose_name = "Continuous quality improvement"
