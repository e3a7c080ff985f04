from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from finsam.tenancy.permissions import associations_of


@login_required
def home(request):
    """Straight to the user's association when there is one; otherwise a list to choose from."""
    associations = list(associations_of(request.user))
    if len(associations) == 1 and not request.user.is_superuser:
        return redirect("tenancy:dashboard", association_slug=associations[0].slug)
    return render(request, "core/home.html", {"associations": associations})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def accessibility(request):
    return render(request, "core/accessibility.html")

