from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "finsam.jobs"
    verbose_name = "Bakgrundsjobb"

    def ready(self):
        # Each app declares its job kinds in its own ``jobs`` module (like admin.py): this app
        # never imports the apps whose work it runs.
        autodiscover_modules("jobs")
