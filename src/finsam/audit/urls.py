from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("<slug:association_slug>/atkomstlogg/", views.access_log, name="access_log"),
]
