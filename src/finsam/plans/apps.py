from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "finsam.plans"
    verbose_name = "Verksamhetsplan"

    def ready(self):
        from finsam.interventions import association_file
        from finsam.statistics import metrics, tables

        from . import file_section, manual

        metrics.register_source(manual.MANUAL)
        association_file.register_section(file_section.SECTION)
        tables.add_family_module("finsam.plans.report_tables")
