from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "finsam.participants"
    verbose_name = "Deltagare"
    # Deleted in bulk by participants/services.py, which marks the förbund's data changed itself
    # (statistics/cache.py connects no post_delete receiver to them).
    bulk_written = ("Participation", "SupportRecord", "TargetGroupRecord")
