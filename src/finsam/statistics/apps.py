from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "finsam.statistics"
    verbose_name = "Statistik"

    def ready(self):
        from . import cache, inequalities, metrics, participant_metrics

        cache.connect()
        inequalities.silence_banner()
        metrics.register_source(participant_metrics.PARTICIPANTS)
