from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "finsam.audit"
    verbose_name = "Loggning"
