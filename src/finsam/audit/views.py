from django.core.paginator import Paginator
from django.shortcuts import render

from finsam.core.forms import parse_date, parse_key
from finsam.tenancy.models import User
from finsam.tenancy.permissions import association_view

from .models import AccessLog

ACTION_LABELS = {
    "list": "Visade deltagarlista",
    "search": "Sökte deltagare",
    "view": "Visade deltagande",
    "register": "Registrerade deltagande",
    "register_attempt": "Försökte registrera deltagande (ej sparat)",
    "edit": "Ändrade deltagande",
    "exit": "Registrerade avslut",
    "consent_withdrawn": "Återkallade samtycke",
    "mark_mistaken": "Markerade deltagande som felregistrering",
    "reopen": "Återöppnade avslutat deltagande",
    "delete": "Tog bort deltagande",
    "import": "Läste in deltagarfil",
    "import_refused": "Deltagarfil avvisad mot registrerade deltaganden",
    "export": "Exporterade deltagare",
    "job_download": "Laddade ned fil från bakgrundsjobb",
    "register_extract": "Tog fram registerutdrag",
    "privacy_model_changed": "Ändrade personuppgiftsansvaret",
    "access_changed": "Ändrade behörighet (roller eller deltagaransvariga)",
    "retention": "Gallring",
}


@association_view("view_access_log")
def access_log(request):
    entries = AccessLog.objects.filter(association=request.association).select_related("user")
    users = User.objects.filter(pk__in=entries.values("user")).order_by("username")
    filters = {k: request.GET.get(k, "") for k in ("user", "action", "insats", "from", "to")}
    if parse_key(filters["user"]) is not None:
        entries = entries.filter(user_id=parse_key(filters["user"]))
    if filters["action"] in ACTION_LABELS:
        entries = entries.filter(action=filters["action"])
    if filters["insats"]:
        entries = entries.filter(intervention_slug=filters["insats"])
    if parse_date(filters["from"]):
        entries = entries.filter(at__date__gte=parse_date(filters["from"]))
    if parse_date(filters["to"]):
        entries = entries.filter(at__date__lte=parse_date(filters["to"]))
    page = Paginator(entries, 100).get_page(request.GET.get("sida"))
    for entry in page:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
    return render(request, "audit/access_log.html", {
        "nav": "access_log", "page": page, "filters": filters, "users": users,
        "actions": ACTION_LABELS.items(),
    })
