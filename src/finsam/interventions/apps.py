from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "finsam.interventions"
    verbose_name = "Insatser"
