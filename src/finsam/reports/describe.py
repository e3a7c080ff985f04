"""What every format states about a report: förbund, period, filters, time, rules."""

from django.utils import timezone

from finsam.statistics.tables import COUNTING_RULES, get


def describe(report):
    names = report.intervention_names
    filters = ", ".join(names.get(s, s) for s in report.interventions) if report.interventions else "Hela förbundet"
    publication = (f"Ja: antal under {report.threshold} är dolda (..), med sekundär maskering så att de inte kan räknas fram."
                   if report.published else "Nej: alla antal visas (för internt bruk).")
    amounts = [("Belopp", AMOUNTS[report.unit])] if any(t.amounts for t in report.tables) else []
    title = [("Publicerad rapport", report.title)] if report.title else []
    return [
        *title,
        ("Förbund", report.association.name),
        ("Period", f"{report.date_from.isoformat()} – {report.date_to.isoformat()}"),
        ("Insatser", filters),
        ("Framtagen", timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")),
        ("Publiceringsläge", publication),
        *amounts,
        *_left_out(report),
        ("Räkneregler", " ".join(COUNTING_RULES)),
    ]


def _left_out(report):
    """The tables the report leaves out, by reason: "Aktiviteter per typ, …: <reason>"."""
    reasons = {}
    for omitted in report.omitted:
        spec = get(omitted["id"])
        reasons.setdefault(omitted["reason"], []).append(spec.title if spec else omitted["id"])
    if not reasons:
        return []
    text = " ".join(f"{', '.join(titles)}: {_sentence(reason)}" for reason, titles in reasons.items())
    return [("Tabeller som inte ingår", text)]


def _sentence(reason):
    reason = reason.strip()
    return reason if reason.endswith(".") else f"{reason}."


_ROUNDED = ("var och en avrundad från det exakta beloppet (hälften bort från noll); summor räknas på de exakta "
            "beloppen, så visade rader behöver inte summera exakt till den visade summan.")
AMOUNTS = {"kr": f"I hela kronor (kr), {_ROUNDED}", "tkr": f"I tusental kronor (tkr), {_ROUNDED}"}
