from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "finsam.activities"
    verbose_name = "Aktiviteter och mått"

    def ready(self):
        from finsam.interventions import association_file
        from finsam.statistics import metrics, tables

        from . import file_sections, metric_sources, report_tables

        tables.add_family_module("finsam.activities.report_tables")
        tables.register_presence("activities", report_tables.has_data)
        metrics.register_source(metric_sources.ACTIVITIES)
        metrics.register_source(metric_sources.MEASURES)
        association_file.register_section(file_sections.MEASURES)
        association_file.register_section(file_sections.ACTIVITY_KINDS)
