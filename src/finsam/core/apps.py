from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "finsam.core"
    verbose_name = "Grund"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .sqlite import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="finsam.core.sqlite")
