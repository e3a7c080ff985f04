from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finsam.finance"
    verbose_name = "Ekonomi"

    def ready(self):
        from finsam.interventions import association_file

        from . import settings_section

        association_file.register_section(settings_section.SECTION)
