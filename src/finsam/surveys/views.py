"""Staff pages of indicator surveys (shared/spec/surveys.md, "Roles").

Capabilities (tenancy/permissions.py): ``view_survey_rounds`` (list and round pages; a
deltagaransvarig sees the rounds of the insatser assigned to them, nothing förbund-wide),
``run_survey_rounds`` (open, close, reopen, poster, codes, paper forms and entry),
``manage_surveys`` (administratör: rounds, files, answers export) and ``read_survey_free_text``
(administratör, analytiker); the national comparison file is the systemadministratör's. Another förbund's round, or a round a deltagaransvarig does not
reach, is a 404. Respondents' pages are in respond_views.py.
"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finsam.audit.log import log_access
from finsam.core.forms import parse_key
from finsam.tenancy.permissions import association_view, system_admin_view

from . import pdf, respondent, services, texts
from .errors import SurveyError
from .forms import CodesForm, ExportForm, QuestionSetUploadForm, RoundForm, UploadForm
from .models import QuestionSet, Response, Round

PAPER_COUNT_KEY = "enkat_papper"  # {round id: forms typed in this batch} in the staff member's session


# --- which rounds a user reaches ------------------------------------------------------------------

def rounds_for(request):
    """The rounds this user may see: all of the förbund's, or a deltagaransvarig's own insatser's."""
    rounds = Round.objects.filter(association=request.association)
    if not request.access.can("view_all_interventions"):
        rounds = rounds.filter(intervention__in=request.user.assigned_interventions.filter(
            association=request.association))
    return rounds.select_related("question_set", "intervention")


def _round(request, round_id):
    key = parse_key(round_id)
    if key is None:
        raise Http404
    return get_object_or_404(rounds_for(request), pk=key)


def _link(request, round):
    return request.build_absolute_uri(reverse("surveys:start", args=[request.association.slug, round.token]))


# --- rounds -----------------------------------------------------------------------------------------

@association_view("view_survey_rounds")
def round_list(request):
    rounds = list(rounds_for(request).order_by("-date_to", "key"))
    counts = _response_counts(rounds)
    labels = services.group_labels(request.association)
    for r in rounds:
        r.group_label = labels.get(r.respondent_group, r.respondent_group)
        r.response_count = counts.get(r.pk, 0)
    return render(request, "surveys/round_list.html", {"nav": "surveys", "rounds": rounds})


def _response_counts(rounds):
    from django.db.models import Count

    return dict(Response.objects.filter(round__in=rounds).values("round").annotate(n=Count("id"))
                .values_list("round", "n"))


@association_view("view_survey_rounds")
def round_detail(request, round_id):
    round = _round(request, round_id)
    responses = Response.objects.filter(round=round)
    channels = {c: responses.filter(channel=c).count() for c in ("webb", "papper", "import")}
    codes_issued, codes_used = services.code_counts([round])[round.pk]
    languages = respondent.offered(round)
    questions = services.shown_questions(round)
    return render(request, "surveys/round_detail.html", {
        "nav": "surveys", "round": round, "group": services.group_label(request.association, round.respondent_group),
        "link": _link(request, round) if round.status == "oppen" else None, "channels": channels,
        "responses": sum(channels.values()), "population": services.population(round),
        "codes_issued": codes_issued, "codes_used": codes_used, "languages": languages,
        "language_names": [(code, texts.language_name(code)) for code in languages],
        "questions": questions, "free_text_questions": [q for q in questions if q.scale_id is None],
    })


@require_POST
@association_view("run_survey_rounds")
def round_status(request, round_id):
    round = _round(request, round_id)
    action = request.POST.get("action")
    operations = {"open": (services.open_round, "Omgången är öppen: länken och affischen fungerar nu."),
                  "close": (services.close_round, "Omgången är stängd. Inga fler svar tas emot via webben."),
                  "reopen": (services.reopen_round, "Omgången är öppen igen.")}
    if action not in operations:
        messages.error(request, "Okänd åtgärd.")
    else:
        operation, done = operations[action]
        try:
            operation(round)
        except SurveyError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, done)
    return redirect("surveys:round_detail", request.association.slug, round.pk)


@association_view("manage_surveys")
def round_create(request):
    return _round_form(request, None, "Omgången är sparad som utkast. Öppna den när den ska ta emot svar.")


@association_view("manage_surveys")
def round_edit(request, round_id):
    round = _round(request, round_id)
    if round.status != "utkast":
        messages.error(request, "Bara en omgång som är utkast kan ändras här. Ändra en öppnad omgång med enkätfilen.")
        return redirect("surveys:round_detail", request.association.slug, round.pk)
    return _round_form(request, round, "Omgången är sparad.")


def _round_form(request, round, done):
    form = RoundForm(request.POST or None, instance=round, association=request.association)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, done)
        return redirect("surveys:round_detail", request.association.slug, saved.pk)
    return render(request, "surveys/round_form.html", {"nav": "surveys", "form": form, "round": round})


# --- poster, codes, paper ---------------------------------------------------------------------------

def _pdf(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@association_view("run_survey_rounds")
def poster(request, round_id):
    round = _round(request, round_id)
    if round.status != "oppen":
        messages.error(request, "Affischen finns när omgången är öppen.")
        return redirect("surveys:round_detail", request.association.slug, round.pk)
    return _pdf(pdf.poster(round, _link(request, round)), f"affisch-{round.key}.pdf")


@association_view("run_survey_rounds")
def code_slips(request, round_id):
    """N new codes, generated and put into the PDF in this one request; never shown again."""
    round = _round(request, round_id)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if round.status == "stangd":
            form.add_error(None, "Omgången är stängd; öppna den igen för att dela ut fler koder.")
        else:
            # The PDF first, then the codes' hashes: codes whose file was never made (an error, a
            # request cut off by the server's time limit) are never stored or counted as issued.
            try:
                issued = services.new_codes(round, form.cleaned_data["count"])
                content = pdf.code_slips(round, _link(request, round), issued)
                services.store_codes(round, issued)
            except SurveyError as refused:
                form.add_error("count", refused.message)
            else:
                return _pdf(content, f"kodlappar-{round.key}.pdf")
    codes_issued, codes_used = services.code_counts([round])[round.pk]
    return render(request, "surveys/codes.html", {
        "nav": "surveys", "round": round, "form": form, "codes_issued": codes_issued, "codes_used": codes_used,
    })


@association_view("run_survey_rounds")
def paper_pdf(request, round_id):
    round = _round(request, round_id)
    language = request.GET.get("sprak", "sv")
    if language not in respondent.offered(round):
        raise Http404
    return _pdf(pdf.paper_questionnaire(round, language), f"enkat-{round.key}-{language}.pdf")


@association_view("run_survey_rounds")
def paper_entry(request, round_id):
    """Type one paper form: every question stacked, each its own radio group. Channel papper;
    nothing about who typed it is stored with the response. The access log gets one row per batch
    with the number of forms (written when the batch is ended, or when the next one starts)."""
    round = _round(request, round_id)
    languages = respondent.offered(round)
    language = request.POST.get("sprak") or request.GET.get("sprak") or "sv"
    if language not in languages:
        language = languages[0] if languages else "sv"
    questions = respondent.shown(round, "sv")
    errors, values = [], {}
    if request.method == "POST" and request.POST.get("action") == "done":
        _log_paper_batch(request, round)
        messages.success(request, "Inmatningen är avslutad.")
        return redirect("surveys:round_detail", request.association.slug, round.pk)
    if request.method == "POST":
        values = {q.key: str(request.POST.get(f"svar-{q.key}", ""))[:respondent.MAX_TEXT] for q in questions}
        try:
            services.record_response(round, channel="papper", language=language,
                                     answers={k: v for k, v in values.items() if v.strip()})
        except SurveyError as refused:
            errors = refused.errors
        else:
            counts = dict(request.session.get(PAPER_COUNT_KEY) or {})
            counts[str(round.pk)] = counts.get(str(round.pk), 0) + 1
            request.session[PAPER_COUNT_KEY] = counts
            messages.success(request, f"Formuläret är sparat ({counts[str(round.pk)]} i den här omgången av "
                                      "inmatning). Fyll i nästa.")
            return redirect(reverse("surveys:paper_entry", args=[request.association.slug, round.pk])
                            + f"?sprak={language}")
    typed = (request.session.get(PAPER_COUNT_KEY) or {}).get(str(round.pk), 0)
    items = [(q, values.get(q.key, "")) for q in questions]
    return render(request, "surveys/paper_entry.html", {
        "nav": "surveys", "round": round, "items": items, "errors": errors, "typed": typed,
        "languages": [(code, texts.language_name(code)) for code in languages], "language": language,
    })


def _log_paper_batch(request, round):
    counts = dict(request.session.get(PAPER_COUNT_KEY) or {})
    typed = counts.pop(str(round.pk), 0)
    request.session[PAPER_COUNT_KEY] = counts
    if typed:
        log_access(request, request.association, "survey_paper_entry",
                   intervention_slug=round.intervention.slug if round.intervention_id else "",
                   subject=f"Enkätomgång {round.key}", row_count=typed)


# --- files ------------------------------------------------------------------------------------------

def _file_page(request, form, load, template, context):
    """An upload page: ``load(form)`` reads the valid form's file and returns summary lines, or
    raises SurveyError with every error; the page lists them (nothing is read in then)."""
    errors, summary_lines = [], None
    if request.method == "POST" and form.is_valid():
        try:
            summary_lines = load(form)
        except SurveyError as refused:
            errors = refused.errors
    return render(request, template, {"form": form, "errors": errors, "summary_lines": summary_lines, **context})


@association_view("manage_surveys")
def question_sets(request):
    from .questions import load_question_set

    def load(form):
        confirmed = request.user if form.cleaned_data["nns_agreement"] else None
        return load_question_set(form.cleaned_data["file"].read(), request.association, confirmed_by=confirmed).lines()

    sets = QuestionSet.objects.filter(association=request.association).order_by("key", "version")
    return _file_page(request, QuestionSetUploadForm(request.POST or None, request.FILES or None), load,
                      "surveys/question_sets.html", {"nav": "surveys", "sets": sets})


@association_view("manage_surveys")
def survey_file(request):
    from .setup import apply_survey_file

    return _file_page(request, UploadForm(request.POST or None, request.FILES or None),
                      lambda form: apply_survey_file(form.cleaned_data["file"].read(), request.association).lines(),
                      "surveys/upload.html", {
        "nav": "surveys", "title": "Läs in enkätfil",
        "intro": "En enkätfil (JSON, finsam-surveys/1) med omgångar och enkätmål. Att läsa in samma fil igen "
                 "ändrar ingenting; en omgång med svar behåller sin frågeuppsättning, respondentgrupp och insats.",
    })


@association_view("manage_surveys")
def answers_import(request):
    def load(form):
        from .answers import import_answers

        upload = form.cleaned_data["file"]
        result = import_answers(upload, upload.name, request.association)
        return [f"Inläst: {result}.", *result.warnings]

    return _file_page(request, UploadForm(request.POST or None, request.FILES or None), load, "surveys/upload.html", {
        "nav": "surveys", "title": "Läs in svar",
        "intro": "En svarsfil (.xlsx eller .csv) med en rad per svar: omgang, svar_id, kanal, sprak och en kolumn "
                 "per fråga. Hela filen kontrolleras först: har den fel läses ingenting in. Att läsa in samma fil "
                 "igen ändrar ingenting.",
    })


@system_admin_view
def national_file(request):
    """The national comparison file: the national network's figures, the same for every förbund, so
    the systemadministratör loads it (a förbund's administratör would change every förbund's
    reports; docs/decisions.md). Runs outside any förbund's scope: the loader marks every förbund's
    data changed."""
    def load(form):
        from .national import load_national

        upload = form.cleaned_data["file"]
        years, count = load_national(upload, upload.name)
        return [f"{count} rader för {', '.join(str(y) for y in years)}."]

    return _file_page(request, UploadForm(request.POST or None, request.FILES or None), load, "surveys/upload.html", {
        "title": "Läs in jämförelse med riket",
        "intro": "En jämförelsefil från NNS (CSV: ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund). "
                 "Ett år i filen ersätter det årets tidigare siffror. Siffrorna gäller alla förbund.",
    })


@association_view("manage_surveys")
def answers_export(request):
    """Every response of the förbund's rounds in the answers-file format (csv or xlsx), formula-
    neutralised, access-logged. Free text is included: the export is the administrator's copy."""
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "surveys/export.html", {"nav": "surveys", "form": form,
                                                       "rounds": rounds_for(request).count()})
    from .answers import answers_csv, answers_export, answers_xlsx

    rounds = list(rounds_for(request).order_by("key"))
    log_access(request, request.association, "survey_answers_export", subject=f"Svar ({form.cleaned_data['format']})",
               row_count=len(answers_export(rounds)[1]))
    stamp = datetime.date.today().isoformat()
    if form.cleaned_data["format"] == "csv":
        response = HttpResponse(answers_csv(rounds), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(answers_xlsx(rounds),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    extension = form.cleaned_data["format"]
    response["Content-Disposition"] = f'attachment; filename="svar-{request.association.slug}-{stamp}.{extension}"'
    return response


# --- free text ----------------------------------------------------------------------------------------

@association_view("read_survey_free_text")
def free_text(request, round_id):
    """The free-text answers of one round, per question, in random order and apart from the rest of
    their responses; only for a round with at least min n responses. Access-logged."""
    round = _round(request, round_id)
    min_n = request.association.masking_threshold
    count = Response.objects.filter(round=round).count()
    questions = [q for q in services.shown_questions(round) if q.scale_id is None]
    sections = []
    if count >= min_n:
        for q in questions:
            sections.append((q, services.free_text_answers(round, q)))
        log_access(request, request.association, "survey_free_text",
                   intervention_slug=round.intervention.slug if round.intervention_id else "",
                   subject=f"Enkätomgång {round.key}", row_count=sum(len(t) for _, t in sections))
    return render(request, "surveys/free_text.html", {
        "nav": "surveys", "round": round, "sections": sections, "enough": count >= min_n, "min_n": min_n,
        "count": count, "questions": questions,
    })

