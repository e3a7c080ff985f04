from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "finsam.surveys"
    verbose_name = "Enkäter"
    # A used code's row is deleted by services.record_response, which marks the förbund's data
    # changed itself: one conditional DELETE, without a post_delete receiver that would make Django
    # read the row first (statistics/cache.py).
    bulk_written = ("SurveyCode",)

    def ready(self):
        from . import registration

        registration.register_all()
