from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "finsam.surveys"
    verbose_name = "Enkäter"

    def ready(self):
        from . import registration

        registration.register_all()
