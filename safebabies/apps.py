from django.apps import AppConfig


class SafebabiesConfig(AppConfig):
    name = "safebabies"
    verbose_name = "Safe Babies"
