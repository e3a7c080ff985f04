from django.urls import path

from . import views

app_name = "tenancy"

A = "<slug:association_slug>/"

urlpatterns = [
    path("konto/losenord/", views.password_change, name="password_change"),
    path("system/forbund/", views.system_associations, name="system_associations"),
    path("system/forbund/nytt/", views.system_association_create, name="system_association_create"),
    path(A + "installningar/", views.association_settings, name="settings"),
    path(A + "medlemmar/", views.member_list, name="members"),
    path(A + "medlemmar/ny/", views.member_edit, name="member_create"),
    path(A + "medlemmar/<int:member_id>/", views.member_edit, name="member_edit"),
    path(A + "medlemmar/<int:member_id>/ta-bort/", views.member_delete, name="member_delete"),
    path(A + "anvandare/", views.user_list, name="users"),
    path(A + "anvandare/ny/", views.user_create, name="user_create"),
    path(A + "anvandare/<int:user_id>/", views.user_edit, name="user_edit"),
]
