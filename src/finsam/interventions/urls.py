from django.urls import path

from . import views

app_name = "interventions"

A = "<slug:association_slug>/"

urlpatterns = [
    path("system/forbund/fran-fil/", views.system_association_file, name="system_association_file"),
    path(A + "insatser/", views.intervention_list, name="list"),
    path(A + "insatser/ny/", views.intervention_edit, name="create"),
    path(A + "insatser/malgrupper/", views.target_groups, name="target_groups"),
    path(A + "insatser/<slug:intervention_slug>/", views.intervention_detail, name="detail"),
    path(A + "insatser/<slug:intervention_slug>/redigera/", views.intervention_edit, name="edit"),
    path(A + "forbundsfil/", views.association_file, name="association_file"),
    path(A + "forbundsfil/ladda-ned/", views.association_file_download, name="association_file_download"),
]
