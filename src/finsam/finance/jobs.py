"""Finance work in the background (finsam.jobs.registry): a large budget or actuals file, confirmed
after its dry run on the page (views.import_page), is read in by a job with a progress bar.

The jobs app imports this module at start-up in every process (web, worker, commands), so it is
also where this app tells the report renderers the förbund's display unit (reports/units.py):
``finance.apps`` (finance-core's) does not register it yet."""

from dataclasses import asdict, is_dataclass

from finsam.jobs.registry import JobFailed, register
from finsam.reports import units

from .importing import FinanceInputError


def _display_unit(association):
    from .settings_section import settings_of

    return settings_of(association).display_unit


units.register_default(_display_unit)


@register("finance_import", label="Inläsning av ekonomifil", capability="manage_finance", personal_data=False)
def run_import(job, progress):
    from .services import import_actuals, import_budget

    kind = job.parameters.get("kind")
    importer = {"budget": import_budget, "utfall": import_actuals}.get(kind)
    if importer is None:
        raise JobFailed("Okänd sorts ekonomifil.")
    progress(0, 1, "Läser in filen")
    try:
        with open(job.input_path, "rb") as data:
            summary = importer(job.association, data.read(), filename=job.input_name or "fil.csv",
                               user=job.requested_by)
    except FinanceInputError as refused:
        count = len(refused.errors)
        raise JobFailed(f"Filen har {'1 fel' if count == 1 else f'{count} fel'} och har inte lästs in. Ingenting har "
                        "ändrats. Rätta felen i filen och läs in den igen.",
                        errors=[asdict(e) if is_dataclass(e) else {"row": 0, "column": "", "value": "", "message": str(e)}
                                for e in refused.errors]) from None
    progress(1, 1, "Klart")
    return "Filen är inläst: " + "; ".join(summary.lines())
