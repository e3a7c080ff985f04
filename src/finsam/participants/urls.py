from django.urls import path

from . import views

app_name = "participants"

A = "<slug:association_slug>/"
I = A + "insatser/<slug:intervention_slug>/"

urlpatterns = [
    path(I + "deltagare/", views.participation_list, name="list"),
    path(I + "deltagare/ny/", views.participation_edit, name="create"),
    path(I + "deltagare/<int:pk>/", views.participation_detail, name="detail"),
    path(I + "deltagare/<int:pk>/andra/", views.participation_edit, name="edit"),
    path(I + "deltagare/<int:pk>/avsluta/", views.participation_exit, name="exit"),
    path(I + "deltagare/<int:pk>/felregistrering/", views.participation_mark_mistaken, name="mark_mistaken"),
    path(I + "deltagare/<int:pk>/ateroppna/", views.participation_reopen, name="reopen"),
    path(I + "deltagare/<int:pk>/ta-bort/", views.participation_delete, name="delete"),
    path(I + "deltagare/<int:pk>/aterkalla-samtycke/", views.withdraw_consent, name="withdraw_consent"),
    path(I + "volymer/", views.volume_counts, name="volumes"),
    path(I + "samtycke/ny/", views.consent_create, name="consent_create"),
    path(I + "samtycke/<int:pk>/", views.consent_status, name="consent_status"),
    path("samtycke/<str:token>/", views.consent_answer, name="consent_answer"),
    path(A + "deltagare/importera/", views.import_participants, name="import"),
    path(A + "deltagare/mall.xlsx", views.import_template, name="template"),
    path(A + "deltagare/export/", views.export_participants, name="export"),
    path(A + "deltagare/registerutdrag/", views.register_extract, name="extract"),
]
