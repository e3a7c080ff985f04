"""The respondent's pages: /<förbund>/enkat/<token>/..., no login (docs/architecture.md, surveys).

Each view resolves the förbund from the URL and the round from its token inside the förbund's
scope (an unknown token, another förbund's round or a draft is a 404), and works without
JavaScript. They are exempt from Django's CSRF cookie (the spec allows no cookie but the session):
each form carries the questionnaire's own token from the session instead, and the session cookie is
SameSite=Lax, so another site's form reaches no questionnaire. POST bodies are sensitive (answers,
codes): Django's error reports leave them out. Pages are never cached.
"""

import secrets

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from finsam.tenancy.models import Association
from finsam.tenancy.scope import Scope

from . import respondent, texts
from .errors import CodeRefused, SurveyError
from .models import Round


def respondent_view(view):
    """Resolve förbund and round, run the view in the förbund's scope, never cache, no CSRF cookie."""

    @csrf_exempt
    @never_cache
    @sensitive_post_parameters()
    def wrapper(request, association_slug, token, *args, **kwargs):
        association = Association.objects.filter(slug=association_slug).first()
        if association is None or len(token) > 64:
            raise Http404
        with Scope.of(association).activate():
            round = (Round.objects.filter(association=association, token=token).exclude(status="utkast")
                     .select_related("question_set", "association").first())
            if round is None:
                raise Http404
            return view(request, round, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.respondent_page = True
    return wrapper


def _url(name, round, *args, query=""):
    url = reverse(f"surveys:{name}", args=[round.association.slug, round.token, *args])
    return f"{url}?{query}" if query else url


def _context(request, round, language, **extra):
    languages = respondent.offered(round)
    context = {
        "round": round, "association": round.association, "lang": texts.html_lang(language),
        "dir": texts.direction(language), "language": language,
        "languages": respondent.language_links(languages, language), "t": respondent.PageTexts(round, language),
        "title_lang": None if texts.html_lang(language) == "sv" else "sv",
    }
    context.update(extra)
    return context


def _closed(request, round, language):
    return render(request, "surveys/respond/closed.html", _context(request, round, language), status=200)


def _language_change(request, round, current):
    """?sprak=xx on a question screen: store the choice and show the same screen again."""
    wanted = request.GET.get("sprak")
    if request.method == "GET" and wanted is not None and current is not None:
        language = respondent.choose_language(round, wanted, current["lang"])
        if language != current["lang"]:
            current["lang"] = language
            respondent.save(request.session, round, current)
        return redirect(request.path)
    return None


def _token_ok(request, current):
    return secrets.compare_digest(str(request.POST.get("t", "")).encode(), str(current.get("token", "")).encode())


@respondent_view
def start(request, round):
    """The first screen: title, anonymity statement, language, and the code when the round needs one."""
    current = respondent.state(request.session, round)
    language = respondent.choose_language(round, request.GET.get("sprak") or request.POST.get("sprak"),
                                          current["lang"] if current else None)
    if round.status != "oppen":
        return _closed(request, round, language)
    error = None
    if request.method == "POST":
        code = None
        if round.codes_required:
            code = "".join(str(request.POST.get("kod", "")).split()).upper()[:32]
            error = _code_error(round, code)
        if error is None:
            if current and (current.get("code") or None) == code:
                current["lang"] = language
                respondent.save(request.session, round, current)
            else:
                respondent.begin(request, round, language, code=code)
            return redirect(_first_screen(round))
    return render(request, "surveys/respond/start.html", _context(
        request, round, language, error=respondent.PageTexts(round, language).get(error) if error else None, action=_url("start", round),
        count=len(respondent.shown(round, language))))


def _code_error(round, code):
    if not code:
        return "code_missing"
    return None if respondent.code_ok(round, code) else "code_invalid"


def _first_screen(round):
    return _url("respond_all", round) if respondent.one_page(round) else _url("question", round, 1)


def _questionnaire(request, round):
    """(the unfinished questionnaire, None), or (None, the page to give instead): the first screen
    when there is none, the same screen after a change of language, the closed text."""
    current = respondent.state(request.session, round)
    if current is None:
        return None, redirect(_url("start", round))
    changed = _language_change(request, round, current)
    if changed:
        return None, changed
    if round.status != "oppen":
        return None, _closed(request, round, current["lang"])
    return current, None


@respondent_view
def question(request, round, number):
    """One question per screen: a fieldset with the question as legend and labelled radio buttons."""
    current, instead = _questionnaire(request, round)
    if instead:
        return instead
    language = current["lang"]
    questions = respondent.shown(round, language)
    if not questions:
        return redirect(_url("review", round))
    if number < 1 or number > len(questions):
        raise Http404
    shown = questions[number - 1]
    from_review = request.GET.get("granska") == "1" or request.POST.get("granska") == "1"
    error = None
    value = current["answers"].get(shown.key, "")
    if request.method == "POST" and _token_ok(request, current):
        try:
            current["answers"][shown.key] = respondent.clean_answer(shown, request.POST.get("svar"))
        except SurveyError as refused:
            error = respondent.refusal_text(round, language, refused)
            value = str(request.POST.get("svar", ""))[:respondent.MAX_TEXT]
        else:
            return _after_answer(request, round, current, number, len(questions), from_review)
    elif request.method == "POST":
        return redirect(request.path)
    return render(request, "surveys/respond/question.html", _context(
        request, round, language, q=shown, n=len(questions), value=value, error=error,
        state_token=current["token"], from_review=from_review,
        progress=respondent.PageTexts(round, language).progress(number, len(questions)),
        path=request.path))


def _after_answer(request, round, current, number, count, from_review):
    respondent.save(request.session, round, current)
    if request.POST.get("gor") == "previous":
        return redirect(_url("question", round, number - 1) if number > 1 else _url("start", round))
    if from_review or number == count:
        return redirect(_url("review", round))
    return redirect(_url("question", round, number + 1))


@respondent_view
def respond_all(request, round):
    """Staff, board and manager rounds: every question on one page, each its own fieldset."""
    current, instead = _questionnaire(request, round)
    if instead:
        return instead
    language = current["lang"]
    questions = respondent.shown(round, language)
    errors = {}
    values = {q.key: current["answers"].get(q.key, "") for q in questions}
    if request.method == "POST" and _token_ok(request, current):
        for shown in questions:
            raw = request.POST.get(f"svar-{shown.key}")
            try:
                values[shown.key] = respondent.clean_answer(shown, raw)
            except SurveyError as refused:
                errors[shown.key] = respondent.refusal_text(round, language, refused)
                values[shown.key] = str(raw or "")[:respondent.MAX_TEXT]
        if not errors:
            current["answers"].update(values)
            respondent.save(request.session, round, current)
            return redirect(_url("review", round))
    elif request.method == "POST":
        return redirect(request.path)
    items = [(q, values[q.key], errors.get(q.key)) for q in questions]
    return render(request, "surveys/respond/all.html", _context(
        request, round, language, items=items, errors=errors, state_token=current["token"], path=request.path))


@respondent_view
def review(request, round):
    """The answers so far, each with a link to change it, and Skicka."""
    current, instead = _questionnaire(request, round)
    if instead:
        return instead
    language = current["lang"]
    questions = respondent.shown(round, language)
    error = None
    if request.method == "POST" and _token_ok(request, current):
        try:
            sent_language = respondent.submit(request, round)
        except respondent.AlreadySent:
            return redirect(_url("thanks", round, query=f"sprak={language}"))
        except CodeRefused:
            error = respondent.PageTexts(round, language).get("code_invalid")
        except SurveyError as refused:
            error = refused.message
            round.refresh_from_db()
            if round.status != "oppen":
                return _closed(request, round, language)
        else:
            return redirect(_url("thanks", round, query=f"sprak={sent_language}"))
    elif request.method == "POST":
        return redirect(request.path)
    one_page = respondent.one_page(round)
    items = []
    for q in questions:
        value = current["answers"].get(q.key, "")
        change = _url("respond_all", round) + f"#fraga-{q.key}" if one_page else _url("question", round, q.number, query="granska=1")
        items.append({"q": q, "value": value, "label": q.label_of(value) if value and not q.free_text else value,
                      "change": change})
    back_url = _url("respond_all", round) if one_page else (_url("question", round, len(questions)) if questions else _url("start", round))
    return render(request, "surveys/respond/review.html", _context(
        request, round, language, items=items, state_token=current["token"], error=error, back_url=back_url,
        path=request.path))


@respondent_view
def thanks(request, round):
    language = respondent.choose_language(round, request.GET.get("sprak"))
    return render(request, "surveys/respond/thanks.html", _context(request, round, language))

