from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finsam.finance"
    verbose_name = "Ekonomi"
    # Actuals of a period are deleted in bulk by finance/services.py, which marks the förbund's data
    # changed itself (statistics/cache.py connects no post_delete receiver to them).
    bulk_written = ("Actual",)

    def ready(self):
        from finsam.interventions import association_file
        from finsam.statistics import metrics as metric_registry
        from finsam.statistics import tables

        from . import metrics, settings_section

        association_file.register_section(settings_section.SECTION)
        tables.add_family_module("finsam.finance.report_tables")
        tables.register_presence("finance", metrics.has_data)
        metric_registry.register_source(metrics.SOURCE)
