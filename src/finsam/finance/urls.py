from django.urls import path

from . import views

app_name = "finance"

A = "<slug:association_slug>/ekonomi/"

urlpatterns = [
    path(A, views.finance_home, name="home"),
    path(A + "budget/<int:year>/", views.budget_page, name="budget"),
    path(A + "prognos/<int:year>/", views.forecast_page, name="forecast"),
    path(A + "utfall/<int:year>/<int:month>/", views.actuals_page, name="actuals"),
    path(A + "las-in/<slug:kind>/", views.import_page, name="import"),
    path(A + "installningar/", views.settings_page, name="settings"),
    path(A + "insatser/<slug:intervention_slug>/", views.intervention_page, name="intervention"),
]
