from django.urls import path

from . import respond_views, views

app_name = "surveys"
A = "<slug:association_slug>/"
E = A + "enkater/"
R = E + "omgang/<str:round_id>/"
# The respondent's pages: no login; the token names the round (never a person).
T = A + "enkat/<str:token>/"

urlpatterns = [
    path(E, views.round_list, name="round_list"),
    path(E + "ny/", views.round_create, name="round_create"),
    path(R, views.round_detail, name="round_detail"),
    path(R + "andra/", views.round_edit, name="round_edit"),
    path(R + "status/", views.round_status, name="round_status"),
    path(R + "affisch/", views.poster, name="poster"),
    path(R + "koder/", views.code_slips, name="code_slips"),
    path(R + "pappersenkat/", views.paper_pdf, name="paper_pdf"),
    path(R + "pappersinmatning/", views.paper_entry, name="paper_entry"),
    path(R + "fritext/", views.free_text, name="free_text"),
    path(E + "fragor/", views.question_sets, name="question_sets"),
    path(E + "enkatfil/", views.survey_file, name="survey_file"),
    path(E + "svar/", views.answers_import, name="answers_import"),
    path(E + "svar/export/", views.answers_export, name="answers_export"),
    path("system/enkater/riket/", views.national_file, name="national_file"),
    path(T, respond_views.start, name="start"),
    path(T + "fraga/<int:number>/", respond_views.question, name="question"),
    path(T + "alla/", respond_views.respond_all, name="respond_all"),
    path(T + "granska/", respond_views.review, name="review"),
    path(T + "tack/", respond_views.thanks, name="thanks"),
]
