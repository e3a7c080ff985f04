from django.urls import path

from . import views

app_name = "jobs"

J = "<slug:association_slug>/jobb/<int:job_id>/"

urlpatterns = [
    path("<slug:association_slug>/jobb/", views.job_list, name="list"),
    path(J, views.job_detail, name="detail"),
    path(J + "status/", views.job_status, name="status"),
    path(J + "fil/", views.job_download, name="download"),
]
