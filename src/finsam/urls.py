from django.contrib.auth import views as auth_views
from django.urls import include, path

from finsam.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("tillganglighet/", core_views.accessibility, name="accessibility"),
    path("hjalp/", core_views.help_page, name="help"),
    path("konto/logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("finsam.reports.urls")),
    path("", include("finsam.participants.urls")),
    path("", include("finsam.audit.urls")),
    path("", include("finsam.jobs.urls")),
    path("", include("finsam.interventions.urls")),
    path("", include("finsam.tenancy.urls")),
    path("", include("finsam.activities.urls")),
    path("", include("finsam.surveys.urls")),
    path("", include("finsam.finance.urls")),
    path("", include("finsam.plans.urls")),
]

handler400 = "finsam.core.views.bad_request"
handler500 = "finsam.core.views.server_error"
