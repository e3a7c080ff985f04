from django.urls import path

from . import views

app_name = "plans"

A = "<slug:association_slug>/verksamhetsplan/"
P = A + "<int:plan_id>/"

urlpatterns = [
    path(A, views.plan_list, name="list"),
    path(A + "ny/", views.plan_edit, name="plan_create"),
    path(P, views.plan_detail, name="plan_detail"),
    path(P + "redigera/", views.plan_edit, name="plan_edit"),
    path(P + "ta-bort/", views.plan_delete, name="plan_delete"),
    path(P + "malomraden/ny/", views.area_edit, name="area_create"),
    path(P + "malomraden/<int:area_id>/", views.area_edit, name="area_edit"),
    path(P + "malomraden/<int:area_id>/ta-bort/", views.area_delete, name="area_delete"),
    path(P + "malomraden/<int:area_id>/bedomning/", views.assessment_edit, name="assessment"),
    path(P + "malomraden/<int:area_id>/mal/nytt/", views.goal_edit, name="goal_create"),
    path(P + "mal/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(P + "mal/<int:goal_id>/ta-bort/", views.goal_delete, name="goal_delete"),
    path(P + "mal/<int:goal_id>/indikatorer/ny/", views.indicator_edit, name="indicator_create"),
    path(P + "indikatorer/<int:indicator_id>/", views.indicator_edit, name="indicator_edit"),
    path(P + "indikatorer/<int:indicator_id>/ta-bort/", views.indicator_delete, name="indicator_delete"),
    path(P + "indikatorer/<int:indicator_id>/resultat/", views.result_edit, name="result"),
]
