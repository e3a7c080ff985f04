from django.urls import path

from . import views

app_name = "activities"

A = "<slug:association_slug>/"

urlpatterns = [
    path(A + "aktiviteter/", views.activity_list, name="list"),
    path(A + "aktiviteter/ny/", views.activity_edit, name="create"),
    path(A + "aktiviteter/<str:pk>/andra/", views.activity_edit, name="edit"),
    path(A + "aktiviteter/<str:pk>/ta-bort/", views.activity_delete, name="delete"),
    path(A + "aktiviteter/las-in/", views.import_activities, name="import"),
    path(A + "matt/", views.measures, name="measures"),
    path(A + "matt/<str:pk>/ta-bort/", views.measure_delete, name="measure_delete"),
    path(A + "matt/las-in/", views.import_measures, name="measures_import"),
]
