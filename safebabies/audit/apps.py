from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safebabies.audit"
    label = "audit"
    verbose_name = "Audit trail"
