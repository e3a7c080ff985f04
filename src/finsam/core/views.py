import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults

from finsam.tenancy.permissions import associations_of

from . import guide
from .busy import busy_response, is_busy
from .uploads import HostileInput, UploadTooLarge


@login_required
def home(request):
    """Straight to the user's association when there is one; otherwise a list to choose from."""
    associations = list(associations_of(request.user))
    if len(associations) == 1 and not request.user.is_superuser:
        return redirect("reports:overview", association_slug=associations[0].slug)
    return render(request, "core/home.html", {"associations": associations})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def accessibility(request):
    return render(request, "core/accessibility.html")


def help_page(request):
    """The user guide, for everyone (it holds no secrets; the login page links to it too)."""
    title, toc, body = guide.guide()
    return render(request, "core/help.html", {"nav": "help", "guide_title": title, "toc": toc, "guide_body": body})



def bad_request(request, exception=None):
    """handler400: a request refused before any view saw it (core/uploads.py, core/middleware.py,
    Django's own limits), explained in Swedish instead of a bare "Bad Request"."""
    if is_busy(exception):
        # SessionMiddleware's SessionInterrupted when a changed session could not be saved in time.
        return busy_response(request)
    status = 400
    if isinstance(exception, UploadTooLarge):
        status = 413
        limit = settings.FINSAM_UPLOAD_MAX_BYTES
        shown = f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} kB"
        message = (f"Filen är för stor och har inte tagits emot. En fil får vara högst {shown}. "
                   "Dela upp den i flera filer och läs in dem en i taget.")
    elif isinstance(exception, RequestDataTooBig):
        status = 413
        message = "Formuläret innehöll mer text än vad som tas emot (högst 1 MB). Ingenting har sparats."
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        message = "Formuläret innehöll för många fält eller filer. Ingenting har sparats. Använd formuläret på sidan."
    elif isinstance(exception, HostileInput):
        message = str(exception)
    else:
        message = "Begäran kunde inte tolkas. Ingenting har sparats. Gå tillbaka och försök igen."
    return render(request, "400.html", {"message": message}, status=status)


def server_error(request):
    """handler500. A lock wait that timed out outside a view (a middleware's write, such as the
    logout at the absolute session timeout) is the busy page, as in a view (core/busy.py)."""
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request)
