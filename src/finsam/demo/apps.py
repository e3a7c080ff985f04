from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "finsam.demo"
    verbose_name = "Demodata"
