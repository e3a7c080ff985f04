from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "finsam.participants"
    verbose_name = "Deltagare"
