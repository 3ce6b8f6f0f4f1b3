from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "safebabies.exports"
    label = "exports"
    verbose_name = "Data package exports"
