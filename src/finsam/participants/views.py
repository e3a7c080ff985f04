"""Participant pages. Every page that shows or exports participant-level data writes an access-log
row (who, förbund, insats, what, how many rows) in the same view that reads the data."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from finsam import codes
from finsam.audit.log import log_access
from finsam.core.forms import bound, parse_date, parse_key
from finsam.jobs.queue import enqueue
from finsam.tenancy.permissions import association_view
from finsam.tenancy.scope import Scope

from . import consent, extract, quality, services, workbook
from .forms import (CorrectionForm, DeleteForm, ExitForm, ImportForm, ParticipationForm, SearchForm,
                    WithdrawConsentForm)
from .identity import InvalidIdentityNumber, parse_identity_number, person_keys
from .importing import ImportRefused, import_file
from .labels import Labeller
from .models import ConsentRequest, Participation, VolumeCount
from .volume import VolumeCountForm

PAGE_SIZE = 50


def _intervention(request, intervention_slug):
    """An insats whose participants the user may reach; 404 otherwise (also for a
    deltagaransvarig who is not assigned to it)."""
    interventions = request.association.interventions.with_participant_access(request.access)
    return get_object_or_404(interventions, slug=intervention_slug)


def _participation(request, intervention, pk):
    return get_object_or_404(
        Participation.objects.filter(association=request.association, intervention=intervention)
        .select_related("intervention")
        .prefetch_related("support", "target_group_records"),
        pk=pk,
    )


def _log(request, action, intervention=None, subject="", row_count=0):
    log_access(request, request.association, action,
               intervention_slug=intervention.slug if intervention else "", subject=subject, row_count=row_count)


@sensitive_post_parameters("q")
@association_view("view_participants")
def participation_list(request, intervention_slug):
    intervention = _intervention(request, intervention_slug)
    participations = Participation.objects.filter(association=request.association, intervention=intervention
                                                  ).select_related("intervention")
    status = request.GET.get("status", "ongoing")
    if status == "ongoing":
        participations = participations.filter(end_date__isnull=True)
    elif status == "exited":
        participations = participations.filter(end_date__isnull=False)
    else:
        status = "all"
    warning = request.GET.get("varning")
    if warning in quality.WARNINGS:  # the start page's data-quality links
        participations = participations.filter(quality.condition(warning, request.association, quality.today()))
    else:
        warning = None
    # Searching by identity number happens by POST so that the number never enters a URL.
    search = SearchForm(request.POST if request.method == "POST" else None, initial={"status": status})
    searched = False
    if request.method == "POST" and search.is_valid() and search.cleaned_data["q"]:
        # A search looks through every status and every insats the user may reach (issue 10);
        # each hit says where it is.
        searched = True
        reachable = request.association.interventions.with_participant_access(request.access)
        participations = _search(
            Participation.objects.filter(association=request.association, intervention__in=reachable),
            search.cleaned_data["q"],
        ).select_related("intervention")
    page = Paginator(participations.order_by("-start_date", "id"), PAGE_SIZE).get_page(request.GET.get("sida"))
    if searched:
        per_intervention = {intervention.slug: 0}
        for p in page:
            per_intervention[p.intervention.slug] = per_intervention.get(p.intervention.slug, 0) + 1
        for slug, count in per_intervention.items():
            log_access(request, request.association, "search", intervention_slug=slug,
                       subject=f"sökning från {intervention.slug}, alla statusar", row_count=count)
    else:
        subject = f"lista: {dict(SearchForm.STATUS_CHOICES)[status].lower()}"
        if warning:
            subject += f", varning: {quality.WARNINGS[warning].lower()}"
        _log(request, "list", intervention, subject=subject, row_count=len(page))
    return render(request, "participants/participation_list.html", {
        "nav": "interventions", "intervention": intervention, "page": page, "status": status,
        "warning": warning, "warning_label": quality.WARNINGS.get(warning),
        "search": search, "searched": searched,
        "can_register": request.access.can("register_participants"),
    })


def _search(participations, query):
    query = query.strip()
    try:
        identity = parse_identity_number(query)
    except InvalidIdentityNumber:
        # A referens is found by its beginning, whatever the case (issue 10).
        return participations.filter(reference__istartswith=query)
    return participations.filter(person_key__in=person_keys(identity))


@association_view("view_participants")
def participation_detail(request, intervention_slug, pk):
    intervention = _intervention(request, intervention_slug)
    participation = _participation(request, intervention, pk)
    _log(request, "view", intervention, subject=f"deltagande {participation.pk}", row_count=1)
    labeller = Labeller(request.association)
    return render(request, "participants/participation_detail.html", {
        "nav": "interventions", "intervention": intervention, "p": participation,
        "referrer": labeller.referrer(participation.referrer),
        "municipality": labeller.municipality(participation.municipality),
        "target_groups": sorted(labeller.target_group(t.code) for t in participation.target_group_records.all()),
        "support_entry": [s for s in participation.support.all() if s.phase == "entry"],
        "support_exit": [s for s in participation.support.all() if s.phase == "exit"],
        "history": labeller.history(participation.changes.select_related("user")[:50]),
        "can_register": request.access.can("register_participants"),
        "can_delete": participation.kind in services.DELETABLE_KINDS,
        "consent_text": consent.stored_text(request.association, participation.consent_text_version),
    })


ALREADY_REGISTERED = ("Deltagandet finns redan: samma referens, eller samma person med samma startdatum i insatsen, "
                      "har just sparats, kanske av någon annan eller av ett dubbelklick. Ingenting mer har sparats. "
                      "Sök fram deltagandet i listan.")


@sensitive_post_parameters("personnummer")
@association_view("register_participants")
def participation_edit(request, intervention_slug, pk=None):
    intervention = _intervention(request, intervention_slug)
    participation = _participation(request, intervention, pk) if pk else None
    initial = {}
    if participation is None and parse_key(request.GET.get("samtycke")) is not None:
        initial = {"samtycke_begaran": parse_key(request.GET["samtycke"]), "samtycke_form": "digitalt"}
    if participation is None and request.GET.get("anonym") == "1":
        initial = {"registreringssatt": "anonymous"}  # "Registrera som anonym deltagare" (consent refused)
    if participation is None and parse_date(request.GET.get("startdatum")):
        initial["startdatum"] = parse_date(request.GET["startdatum"])  # kept by "Spara och registrera nästa"
    form = ParticipationForm(**bound(request), initial=initial, intervention=intervention, participation=participation)
    if request.method == "POST" and form.is_valid():
        target = participation or Participation(association=request.association, intervention=intervention)
        try:
            with transaction.atomic():
                saved = services.save_participation(
                    target, form.values(), user=request.user, expected_version=form.cleaned_data.get("version"),
                    action="updated",
                )
                if form.consent_request is not None:
                    consent.mark_used(form.consent_request, saved)
                # In the same transaction: the registration and its log entry are one commit.
                _log(request, "register" if participation is None else "edit", intervention,
                     subject=f"deltagande {saved.pk}", row_count=1)
        except services.ConcurrentEditError:
            form.add_error(None, "Någon annan har ändrat deltagandet sedan du öppnade det. Ingenting har sparats. "
                                 "Öppna deltagandet igen och gör din ändring på nytt.")
        except services.AlreadyRegistered:
            form.add_error(None, ALREADY_REGISTERED)
        except consent.ConsentAlreadyUsed:
            form.add_error(None, "Samtycket från telefonen har redan använts för en annan registrering.")
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            if participation is None and request.POST.get("nasta") == "1":
                messages.success(request, "Deltagandet är sparat. Registrera nästa deltagare i samma insats; "
                                          "startdatumet är kvar.")
                url = reverse("participants:create", args=[request.association.slug, intervention.slug])
                return redirect(f"{url}?startdatum={saved.start_date.isoformat()}")
            messages.success(request, "Deltagandet är sparat.")
            return redirect("participants:detail", request.association.slug, intervention.slug, saved.pk)
    if participation is not None:
        _log(request, "view", intervention, subject=f"deltagande {participation.pk} (ändra)", row_count=1)
    elif request.method == "POST":
        # The answer may tell whether the person is registered already (warnings, errors).
        _log(request, "register_attempt", intervention, subject="registrering, ej sparad")
    phone_consent = None
    requested = str(form["samtycke_begaran"].value() or "") if "samtycke_begaran" in form.fields else ""
    if participation is None and parse_key(requested) is not None:
        phone_consent = consent.usable(intervention, parse_key(requested))
    return render(request, "participants/participation_form.html", {
        "nav": "interventions", "intervention": intervention, "form": form, "p": participation,
        "consent_text": consent.current_text(intervention), "phone_consent": phone_consent,
        "stored_consent_text": consent.stored_text(request.association, participation.consent_text_version)
        if participation is not None else None,
    })


@association_view("register_participants")
def participation_exit(request, intervention_slug, pk):
    intervention = _intervention(request, intervention_slug)
    participation = _participation(request, intervention, pk)
    form = ExitForm(**bound(request), intervention=intervention, participation=participation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.save_participation(participation, form.values(), user=request.user,
                                            expected_version=form.cleaned_data.get("version"), action="exited")
                _log(request, "exit", intervention, subject=f"deltagande {participation.pk}", row_count=1)
        except services.ConcurrentEditError:
            form.add_error(None, "Någon annan har ändrat deltagandet sedan du öppnade det. Ingenting har sparats.")
        except services.AlreadyRegistered:
            form.add_error(None, ALREADY_REGISTERED)
        else:
            messages.success(request, "Avslutet är registrerat.")
            return redirect("participants:detail", request.association.slug, intervention.slug, participation.pk)
    _log(request, "view", intervention, subject=f"deltagande {participation.pk} (avslut)", row_count=1)
    return render(request, "participants/participation_exit.html", {
        "nav": "interventions", "intervention": intervention, "form": form, "p": participation,
    })


CONCURRENT_CORRECTION = ("Någon annan har ändrat deltagandet sedan du öppnade sidan. Ingenting har ändrats. "
                         "Se efter hur deltagandet ser ut nu och gör om ändringen om den fortfarande behövs.")

# Corrections (issue 10). URL name (also the access-log action) -> the page's title and message.
CORRECTIONS = {
    "mark_mistaken": {"title": "Markera som felregistrering",
                      "done": "Deltagandet är markerat som felregistrering och räknas inte i någon tabell."},
    "reopen": {"title": "Återöppna deltagandet",
               "done": "Deltagandet är återöppnat: slutdatum, avslutsorsak och försörjning efter avslut är borttagna."},
    "delete": {"title": "Ta bort deltagandet", "done": "Deltagandet är borttaget."},
}


def _correction(request, intervention_slug, pk, name):
    """GET: what the correction does, and a confirmation. POST with the confirmation (and the
    version the page was read at): does it. Every answer that shows the participation is logged."""
    intervention = _intervention(request, intervention_slug)
    participation = _participation(request, intervention, pk)
    what = CORRECTIONS[name]
    refusal = _correction_refusal(participation, name)
    form_class = DeleteForm if name == "delete" else CorrectionForm
    form = form_class(**bound(request), participation=participation)
    if request.method == "POST" and refusal is None and form.is_valid():
        version = form.cleaned_data["version"]
        subject = f"deltagande {participation.pk}"
        try:
            with transaction.atomic():
                if name == "mark_mistaken":
                    services.mark_mistaken(participation, user=request.user, expected_version=version)
                elif name == "reopen":
                    services.reopen(participation, user=request.user, expected_version=version)
                else:
                    kind = "anonymt" if participation.anonymous else "pseudonymt"
                    services.delete_participation(participation, expected_version=version)
                    # The deletion record: no referens or other data of the row, only which row and why.
                    subject = f"deltagande {participation.pk} ({kind}) borttaget: {form.cleaned_data['motivering']}"
                _log(request, name, intervention, subject=subject, row_count=1)
        except services.ConcurrentEditError:
            form.add_error(None, CONCURRENT_CORRECTION)
        except services.AlreadyRegistered:
            form.add_error(None, ALREADY_REGISTERED)
        else:
            messages.success(request, what["done"])
            if name == "delete":
                return redirect("participants:list", request.association.slug, intervention.slug)
            return redirect("participants:detail", request.association.slug, intervention.slug, participation.pk)
    _log(request, "view", intervention, subject=f"deltagande {participation.pk} ({what['title'].lower()})", row_count=1)
    return render(request, "participants/correction.html", {
        "nav": "interventions", "intervention": intervention, "p": participation, "form": form, "name": name,
        "title": what["title"], "refusal": refusal,
    })


def _correction_refusal(participation, name):
    """Why the correction cannot be made to this participation, or None."""
    if name == "reopen" and participation.end_date is None:
        return "Deltagandet pågår redan; det finns inget avslut att återöppna."
    if name == "reopen" and participation.deidentified_at is not None:
        # Retention never looks at a de-identified row again: reopened, it would be ongoing for ever.
        return ("Deltagandet är gallrat (avidentifierat) och kan inte återöppnas. Registrera ett nytt deltagande "
                "om personen deltar igen.")
    if name == "mark_mistaken" and participation.exit_reason == codes.EXIT_REASON_EXCLUDED:
        return "Deltagandet är redan markerat som felregistrering."
    if name == "delete" and participation.kind not in services.DELETABLE_KINDS:
        return ("Ett deltagande med personnummer tas inte bort här. Markera det som felregistrering i stället, "
                "så räknas det inte i någon tabell; uppgifterna gallras sedan enligt förbundets gallringsregler.")
    return None


@association_view("register_participants")
def participation_mark_mistaken(request, intervention_slug, pk):
    return _correction(request, intervention_slug, pk, "mark_mistaken")


@association_view("register_participants")
def participation_reopen(request, intervention_slug, pk):
    return _correction(request, intervention_slug, pk, "reopen")


@association_view("register_participants")
def participation_delete(request, intervention_slug, pk):
    return _correction(request, intervention_slug, pk, "delete")


@association_view("register_participants")
def withdraw_consent(request, intervention_slug, pk):
    """GET explains what a withdrawal does and asks for confirmation; POST with the confirmation
    does it. Every participation of the person in the förbund becomes anonymous, also in insatser
    the user cannot open: that is done, and logged per insats, but the page tells the user only
    about the insatser they may see."""
    intervention = _intervention(request, intervention_slug)
    participation = _participation(request, intervention, pk)
    if participation.anonymous:
        messages.info(request, "Deltagandet är redan anonymt.")
        return redirect("participants:detail", request.association.slug, intervention.slug, participation.pk)
    same_person = services.same_person(participation)  # a pseudonymous one: only itself
    reachable = request.association.interventions.with_participant_access(request.access)
    visible = list(same_person.filter(intervention__in=reachable).select_related("intervention")
                   .order_by("start_date", "id"))
    form = WithdrawConsentForm(**bound(request))
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                per_intervention = {}
                for slug in same_person.values_list("intervention__slug", flat=True):
                    per_intervention[slug] = per_intervention.get(slug, 0) + 1
                services.anonymise(same_person, user=request.user, action="consent_withdrawn")
                for slug, count in sorted(per_intervention.items()):
                    log_access(request, request.association, "consent_withdrawn", intervention_slug=slug,
                               subject=f"samtycke återkallat via deltagande {participation.pk}", row_count=count)
            messages.success(request, f"Samtycket är återkallat. {_count_words(len(visible))} i insatser du har "
                                      "tillgång till är nu anonyma.")
            return redirect("participants:detail", request.association.slug, intervention.slug, participation.pk)
    _log(request, "view", intervention, subject=f"deltagande {participation.pk} (återkalla samtycke)",
         row_count=len(visible))
    return render(request, "participants/withdraw_consent.html", {
        "nav": "interventions", "intervention": intervention, "p": participation, "visible": visible, "form": form,
    })


def _count_words(count):
    return "1 deltagande" if count == 1 else f"{count} deltaganden"


@association_view("import_participants")
def import_participants(request):
    form = ImportForm(**bound(request))
    interventions = request.association.interventions.with_participant_access(request.access)
    errors, summary, warnings = [], None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if _import_runs_as_job(upload):
            # Stored with the job; read, validated and written by the worker (participants/jobs.py).
            job = enqueue("participant_import", association=request.association, user=request.user, upload=upload)
            return redirect("jobs:detail", request.association.slug, job.pk)
        try:
            # The upload itself (in memory or a temporary file): read only after its size is checked.
            summary = import_file(upload, upload.name, association=request.association,
                                  user=request.user, interventions=interventions)
            warnings = summary.warnings
        except ImportRefused as refused:
            errors, warnings = refused.errors, refused.warnings
    return render(request, "participants/import.html", {
        "nav": "import", "form": form, "errors": errors, "summary": summary, "warnings": warnings,
        "interventions": interventions,
    })


def _import_runs_as_job(upload):
    """Files over ≈ 2 000 rows (settings.FINSAM_JOB_IMPORT_BYTES; an xlsx file is compressed, so
    a quarter of that) are read in by a background job with a progress bar."""
    limit = settings.FINSAM_JOB_IMPORT_BYTES
    if (upload.name or "").lower().endswith(".xlsx"):
        limit //= 4
    return upload.size > limit


@association_view("import_participants")
def import_template(request):
    reachable = request.association.interventions.with_participant_access(request.access)
    response = HttpResponse(workbook.template(request.association, reachable), content_type=workbook.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="deltagarfil-mall.xlsx"'
    return response


@association_view("export_participants")
def export_participants(request):
    """The rows of the insatser whose participants the user may see (workbook.export_participations).
    More than settings.FINSAM_JOB_EXPORT_ROWS rows: a page that queues the export as a background
    job on POST (a GET never starts work)."""
    source = request.POST if request.method == "POST" else request.GET
    file_format = "xlsx" if source.get("format") == "xlsx" else "csv"
    slug = source.get("insats", "")[:60]
    participations = workbook.export_participations(request.association, request.access, slug)
    count = participations.count()
    if count > settings.FINSAM_JOB_EXPORT_ROWS:
        if request.method == "POST":
            job = enqueue("participant_export", association=request.association, user=request.user,
                          parameters={"format": file_format, "insats": slug})
            return redirect("jobs:detail", request.association.slug, job.pk)
        return render(request, "participants/export_job.html", {
            "nav": "interventions", "count": count, "file_format": file_format, "slug": slug,
        })
    # Streamed (issue 9): read in chunks while it is sent, never one query for every row.
    _log(request, "export", subject=f"deltagarexport {file_format}" + (f" {slug}" if slug else ""), row_count=count)
    content, content_type = workbook.export(participations, file_format, request.association)
    if file_format == "xlsx":
        response = FileResponse(content, content_type=content_type)
    else:
        # Read while the server sends it, after the view has returned: each chunk inside the scope.
        response = StreamingHttpResponse(Scope.of(request.association).stream(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="deltagare-{request.association.slug}.{file_format}"'
    return response


@sensitive_post_parameters("identitet")
@association_view("view_participants")
def register_extract(request):
    """Everything stored about one person in the insatser the user may see (participants/extract.py).
    POST only: the identity number never enters a URL. Each extract is logged with its row count."""
    reachable = request.association.interventions.with_participant_access(request.access)
    form = extract.ExtractForm(request.POST if request.method == "POST" else None, interventions=reachable)
    data = None
    if request.method == "POST" and form.is_valid():
        how, value = form.cleaned_data["identitet"]
        in_insatser = extract.insatser_of_reference(request.association, reachable, value) if how == "referens" else []
        if len(in_insatser) > 1 and not form.cleaned_data["insats"]:
            # The same referens in several insatser may be several people: never one extract of them.
            form.add_error("insats", f"Referensen finns i flera insatser ({', '.join(in_insatser)}). "
                                     "Välj den insats deltagandet finns i.")
            _log(request, "register_extract", subject="registerutdrag: referensen finns i flera insatser, inget utdrag")
        else:
            file_format = request.POST.get("format") if request.POST.get("format") in extract.FORMATS else "html"
            participations = list(extract.find(request.association, reachable, form.cleaned_data["identitet"],
                                               form.cleaned_data["insats"]))
            logs = extract.log_rows(request.association, participations)
            if file_format == "pdf" and extract.row_count(participations, logs) > extract.EXTRACT_JOB_ROWS:
                # A long extract's PDF is made in the background (extract.EXTRACT_JOB_ROWS); the job
                # reads the participations and logs that it did.
                job = enqueue("register_extract", association=request.association, user=request.user,
                              parameters={"participations": [p.pk for p in participations], "how": how})
                messages.info(request, "Utdraget är långt, så PDF-filen tas fram i bakgrunden. Den finns att "
                                       "hämta här när den är klar.")
                return redirect("jobs:detail", request.association.slug, job.pk)
            data = extract.build(request.association, participations, user=request.user, how=how, logs=logs)
            _log(request, "register_extract", subject=extract.log_subject(file_format, participations),
                 row_count=len(participations))
            if file_format != "html":
                content, content_type = ((extract.as_json(data), "application/json; charset=utf-8")
                                         if file_format == "json" else (extract.as_pdf(data), "application/pdf"))
                response = HttpResponse(content, content_type=content_type)
                response["Content-Disposition"] = (
                    f'attachment; filename="registerutdrag-{request.association.slug}.{file_format}"')
                return response
    return render(request, "participants/register_extract.html", {
        "nav": "extract", "form": form, "extract": data, "formats": extract.FORMATS,
        "limitation": extract.LIMITATION,
    })


@association_view("view_volume_counts")
def volume_counts(request, intervention_slug):
    # Counts per period, never a person: the same in both privacy models (tenancy/permissions.py).
    # Every insats for administratör and analytiker; a deltagaransvarig's assigned ones, also when
    # a läsare role lists every insats for them.
    intervention = get_object_or_404(request.association.interventions.with_volume_access(request.access),
                                     slug=intervention_slug)
    can_register = request.access.can("register_volume_counts")
    form = VolumeCountForm(**bound(request), intervention=intervention) if can_register else None
    if form is not None and request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Volymregistreringen är sparad.")
        return redirect("participants:volumes", request.association.slug, intervention.slug)
    return render(request, "participants/volume_counts.html", {
        "nav": "interventions", "intervention": intervention, "form": form,
        "counts": VolumeCount.objects.filter(association=request.association, intervention=intervention),
    })


CONSENT_TOKEN_SESSION_KEY = "consent_token_{}"


@require_POST
@association_view("register_participants")
def consent_create(request, intervention_slug):
    intervention = _intervention(request, intervention_slug)
    consent_request, token = consent.create_request(intervention, request.user)
    # Kept in the staff member's session only, so the status page can show the link again.
    request.session[CONSENT_TOKEN_SESSION_KEY.format(consent_request.pk)] = token
    return redirect("participants:consent_status", request.association.slug, intervention.slug, consent_request.pk)


@association_view("register_participants")
def consent_status(request, intervention_slug, pk):
    intervention = _intervention(request, intervention_slug)
    consent_request = get_object_or_404(
        ConsentRequest.objects.filter(association=request.association, intervention=intervention), pk=pk
    )
    token = request.session.get(CONSENT_TOKEN_SESSION_KEY.format(pk))
    open_link = consent_request.answered_at is None and consent_request.expires_at > timezone.now()
    link = qr = None
    if open_link and token:
        link = request.build_absolute_uri(reverse("participants:consent_answer", args=[token]))
        qr = consent.qr_svg_data_uri(link)
    return render(request, "participants/consent_status.html", {
        "nav": "interventions", "intervention": intervention, "cr": consent_request, "link": link, "qr": qr,
        "open_link": open_link,
    })


def consent_answer(request, token):
    """The participant's page, opened on their own phone without logging in. It shows the text
    of the version the request was made with, which is the version stored with the answer."""
    consent_request = consent.find_open(token)
    if consent_request is None:
        return render(request, "participants/consent_closed.html", status=404)
    with Scope.of(consent_request.association).activate():
        return _consent_answer(request, consent_request)


def _consent_answer(request, consent_request):
    if request.method == "POST" and request.POST.get("svar") in ("ja", "nej"):
        consented = request.POST["svar"] == "ja"
        consent.answer(consent_request, consented)
        return render(request, "participants/consent_thanks.html", {"consented": consented})
    text = consent.stored_text(consent_request.association, consent_request.text_version)
    return render(request, "participants/consent_answer.html", {
        "cr": consent_request, "consent_text": text or consent.current_text(consent_request.intervention),
    })
