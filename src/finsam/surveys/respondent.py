"""The respondent's questionnaire: what is kept between screens, and nothing more.

No login. An unfinished questionnaire lives only in the session (core/sessions.py, database
sessions), under ``SESSION_KEY`` per round: the language, the answers so far, the code typed on the
first screen and a form token. A respondent's session expires 24 hours after it began (not the
staff's sliding 30 minutes), and is deleted when the questionnaire is sent. Nothing identifying
is read or stored: no IP address, user agent, referrer or time of day (the only time kept is when
the questionnaire began, in the session, to drop it after 24 h even in a staff member's session).

Sending is :func:`submit`: in one transaction it locks the session row, takes the questionnaire
out of it, and calls ``services.record_response`` (which consumes the code in that transaction).
The same session posting twice, at once or one after the other, stores one response.
"""

import datetime
import secrets
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from finsam.core.identifiers import contains_identity_number

from . import codes, texts
from .errors import SurveyError

SESSION_KEY = "enkat"
LIFETIME_SECONDS = 24 * 60 * 60
MAX_TEXT = 2000  # characters of a free-text answer
ONE_PAGE_GROUPS = {"insatspersonal", "styrelse", "chefer_samverkan"}


# --- texts ---------------------------------------------------------------------------------------

class PageTexts:
    """``t.next``, ``t.code`` ... in a template: the round's page texts in ``language``. An extra text
    (texts.EXTRA) missing in a set's own language is the Swedish one, marked ``lang="sv"``."""

    def __init__(self, round, language):
        self.round = round
        self.language = language
        self._set_ui = (round.question_set.ui or {}).get(language, {})

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)

    def get(self, key):
        if key in codes.UI_KEYS:
            from . import services

            return services.ui_text(self.round, self.language, key)
        text = self._set_ui.get(key) or texts.EXTRA.get(self.language, {}).get(key)
        if text:
            return text
        return format_html('<span lang="sv">{}</span>', texts.EXTRA["sv"][key])

    def progress(self, i, n):
        return self.get("progress").replace("{i}", str(i)).replace("{n}", str(n))


# --- questions -----------------------------------------------------------------------------------

@dataclass
class Option:
    value: str
    label: str


@dataclass
class ShownQuestion:
    key: str
    number: int
    text: str
    free_text: bool
    options: list = field(default_factory=list)
    question: object = None

    def label_of(self, value):
        for option in self.options:
            if option.value == value:
                return option.label
        return value


def shown(round, language):
    """The questions the round shows, in set order, with texts and options in ``language``."""
    from . import services

    result = []
    if language not in offered(round):
        language = "sv"
    for number, question in enumerate(_questions(round), start=1):
        text = question.text.get(language) or question.text.get("sv", "")
        options = []
        if question.scale_id is not None:
            scale = question.scale
            for step in scale.steps:
                options.append(Option(step["code"], step["label"].get(language) or step["label"].get("sv", step["code"])))
            if scale.dont_know:
                options.append(Option(codes.DONT_KNOW, scale.dont_know.get(language) or scale.dont_know.get("sv", "")))
        result.append(ShownQuestion(question.key, number, text, question.scale_id is None, options, question))
    return result


def clean_answer(question, raw):
    """A posted value as stored in the questionnaire: an option's value, a text, or "" (skipped).
    A forged option counts as skipped rather than failing the page; a free text the service refuses
    (too long, an identity number) raises its SurveyError, to be shown on the question's screen."""
    from . import services

    raw = raw if isinstance(raw, str) else ""
    if question.free_text:
        text = raw.strip()
        if text:
            # The service's own message names the question's key and the staff's fields: the
            # respondent is told in the page's language instead (refusal_text).
            if contains_identity_number(text):
                raise AnswerRefused("text_identity_number")
            if len(text) > services.MAX_FREE_TEXT:
                raise AnswerRefused("text_too_long")
            services.clean_answer(question.question, text)
        return text
    return raw if any(o.value == raw for o in question.options) else ""


class AnswerRefused(SurveyError):
    """A free text the respondent must change; ``key`` names its text (texts.EXTRA)."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


def refusal_text(round, language, refused):
    """Why an answer was refused, for the respondent, in the page's language."""
    key = getattr(refused, "key", None)
    if key is None:
        return refused.message
    text = PageTexts(round, language).get(key)
    replaced = text.replace("{n}", str(MAX_TEXT))
    return mark_safe(replaced) if isinstance(text, SafeData) else replaced  # a marked Swedish fallback


def code_ok(round, code):
    """Whether a code typed on the first screen is valid now; nothing is written (the code is used
    up only by ``services.record_response``). A used code has no row: it is as unknown as a typo."""
    from . import services

    return services.code_valid(round, code)


def one_page(round):
    return round.respondent_group in ONE_PAGE_GROUPS


# --- languages -----------------------------------------------------------------------------------

def _questions(round):
    """The round's shown questions, read once per request (kept on the round object)."""
    from . import services

    if getattr(round, "_shown_questions", None) is None:
        round._shown_questions = services.shown_questions(round)
    return round._shown_questions


def offered(round):
    from . import services

    if getattr(round, "_languages_offered", None) is None:
        round._languages_offered = list(services.languages_offered(round, _questions(round)))
    return round._languages_offered


def choose_language(round, wanted, current=None):
    languages = offered(round)
    if wanted in languages:
        return wanted
    if current in languages:
        return current
    return "sv" if "sv" in languages else (languages[0] if languages else "sv")


def language_links(languages, current):
    return [{"code": code, "name": texts.language_name(code), "lang": texts.html_lang(code),
             "dir": texts.direction(code), "current": code == current} for code in languages]


# --- the questionnaire in the session --------------------------------------------------------------

def _all(session):
    return session.get(SESSION_KEY) or {}


def state(session, round):
    """The unfinished questionnaire of ``round`` in this session, or None (none, or older than 24 h)."""
    found = _all(session).get(str(round.pk))
    if not found:
        return None
    if time.time() - found.get("started", 0) > LIFETIME_SECONDS:
        forget(session, round)
        return None
    return found


def begin(request, round, language, code=None):
    """Start a questionnaire in the session. An anonymous visitor's session gets a fixed lifetime of
    24 hours from now; a signed-in staff member's session keeps its own (shorter) rules."""
    from django.contrib.sessions.models import Session

    # Unfinished questionnaires older than 24 hours leave the database too (Django keeps expired
    # session rows until `clearsessions`): what `clearsessions` does, on the index of expire_date.
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    session = request.session
    everything = dict(_all(session))
    everything[str(round.pk)] = {"started": int(time.time()), "lang": language, "answers": {}, "code": code,
                                 "token": secrets.token_urlsafe(16)}
    session[SESSION_KEY] = everything
    if not request.user.is_authenticated:
        # A fixed end, not a sliding one: each screen saves the session, which would renew an age.
        session.set_expiry(timezone.now() + datetime.timedelta(seconds=LIFETIME_SECONDS))
    return everything[str(round.pk)]


def save(session, round, current):
    everything = dict(_all(session))
    everything[str(round.pk)] = current
    session[SESSION_KEY] = everything


def forget(session, round):
    everything = dict(_all(session))
    if everything.pop(str(round.pk), None) is not None:
        session[SESSION_KEY] = everything


class AlreadySent(Exception):
    pass


def submit(request, round):
    """Send the questionnaire: one response, once. Raises AlreadySent when this session's
    questionnaire was sent by another request (a double click), and SurveyError from the service
    (a closed round; CodeRefused: a code used meanwhile). The session row is locked for the
    transaction, so two requests of one session cannot both send (SQLite: one writer at a time;
    PostgreSQL: the row lock)."""
    from django.contrib.sessions.models import Session

    from . import services

    session = request.session
    key = session.session_key
    with transaction.atomic():
        row = Session.objects.select_for_update().filter(session_key=key).first() if key else None
        stored = session.decode(row.session_data) if row is not None else {}
        current = (stored.get(SESSION_KEY) or {}).get(str(round.pk))
        if not current:
            forget(session, round)
            raise AlreadySent
        services.record_response(round, channel="webb", language=current["lang"],
                                 answers=_answers_for_service(current["answers"]), code=current.get("code") or None)
        rest = dict(stored.get(SESSION_KEY) or {})
        rest.pop(str(round.pk), None)
        if rest:
            stored[SESSION_KEY] = rest
        else:
            stored.pop(SESSION_KEY, None)
        row.session_data = session.encode(stored)
        row.save(update_fields=["session_data"])
    language = current["lang"]
    if request.user.is_authenticated:
        forget(session, round)
    else:
        # Nothing of the visitor remains: the session (and its cookie) go with the questionnaire.
        session.flush()
    return language


def _answers_for_service(answers):
    """{question key: value} without skipped questions."""
    return {key: value for key, value in answers.items() if value not in ("", None)}

