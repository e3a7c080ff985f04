import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .sessions import SESSION_RENEWED_KEY, SESSION_STARTED_KEY

RENEW_AFTER_SECONDS = 60


class AbsoluteSessionTimeoutMiddleware:
    """Ends a session a fixed time after login, however active it is (ASVS 7.3.2), and keeps the
    idle timeout: Django's SESSION_COOKIE_AGE, renewed by saving the session after any view not
    marked :func:`not_user_activity`. The session is
    saved at most once a minute rather than on every request (SESSION_SAVE_EVERY_REQUEST), which
    was a database write and commit on every page and registration; a session thus ends between
    29 and 30 minutes after the last request. While the database is busy (a large import on
    SQLite) these bookkeeping saves are skipped rather than failing the page (core/sessions.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.FINSAM_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            active = getattr(match.func, "renews_session", True) if match else True
            if active and now - request.session.get(SESSION_RENEWED_KEY, 0) >= RENEW_AFTER_SECONDS:
                request.session[SESSION_RENEWED_KEY] = now  # modified, so saved with a new expiry
            return response
        return self.get_response(request)


def not_user_activity(view):
    """Mark a view that a page calls by itself (the job page's progress poll): it is not the user's
    activity, so it does not renew the idle timeout, and it writes nothing, so it answers while an
    import holds SQLite's write lock (docs/decisions.md, "Background jobs")."""
    view.renews_session = False
    return view


class PasswordChangeRequiredMiddleware:
    """A user whose password was chosen by someone else (``User.must_change_password``) reaches
    only the password change page and logout until they have chosen their own; every other
    request, GET or POST, is sent to the change page."""

    PASSWORD_CHANGE_URL = "tenancy:password_change"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            change_url = reverse(self.PASSWORD_CHANGE_URL)
            if request.path_info not in (change_url, reverse("logout")):
                return redirect(change_url)
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages behind login may show personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefuseNulCharactersMiddleware:
    """A NUL character in a parameter or form field is refused here, for every view at once:
    no form can send one, PostgreSQL cannot store one, and a view reading a parameter directly
    would otherwise pass it to a query and fail with a 500 (issue 9). The answer is the Swedish
    400 page of core.views.bad_request."""

    MESSAGE = ("Begäran innehöll ett nolltecken (NUL), som inte kan förekomma i text. Ingenting har sparats. "
               "Gå tillbaka och skriv om värdet.")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .uploads import HostileInput

        sources = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.POST)
        for source in sources:
            for key, values in source.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise HostileInput(self.MESSAGE)
        return self.get_response(request)
