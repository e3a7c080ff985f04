"""Django for the disclosure scripts: the database in DATABASE_URL (see README.md)."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
import django  # noqa: E402

django.setup()
from django.test import Client  # noqa: E402

from finsam.tenancy.models import Association, User  # noqa: E402,F401


def client(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c
