from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    # The förbund's start page (Översikt): figures from the reports, for every role.
    path("<slug:association_slug>/", views.overview_page, name="overview"),
    path("<slug:association_slug>/rapporter/", views.report_page, name="report"),
    path("<slug:association_slug>/rapporter/publicera/", views.publish, name="publish"),
    path("<slug:association_slug>/rapporter/publicerade/", views.published_list, name="published_list"),
    path("<slug:association_slug>/rapporter/publicerade/<int:report_id>/", views.published_detail,
         name="published_detail"),
]
