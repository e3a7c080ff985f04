from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "finsam.tenancy"
    verbose_name = "Förbund och användare"
