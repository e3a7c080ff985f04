from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<slug:association_slug>/rapporter/", views.report_page, name="report"),
]
