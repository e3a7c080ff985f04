from django.http import HttpResponse
from django.shortcuts import render

from finsam.statistics.cache import cached_report
from finsam.statistics.tables import COUNTING_RULES
from finsam.tenancy.permissions import association_view

from . import render_csv, render_pdf, render_xlsx
from .html import table_view
from .describe import describe
from .forms import ReportForm
from .json_output import render as render_json

FORMATS = {
    "xlsx": (render_xlsx.render, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (render_pdf.render, "application/pdf"),
    "csv": (render_csv.render, "text/csv; charset=utf-8"),
    "json": (render_json, "application/json; charset=utf-8"),
}


@association_view("view_reports")
def report_page(request):
    association = request.association
    force = not request.access.can("view_unmasked_reports")
    data = request.GET if "period" in request.GET else None
    form = ReportForm(data, association=association, force_publish=force)
    report = None
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        report = cached_report(association, c["date_from"], c["date_to"], c["interventions"], publish=c["publish"])
        file_format = request.GET.get("format")
        if file_format in FORMATS:
            renderer, content_type = FORMATS[file_format]
            response = HttpResponse(renderer(report), content_type=content_type)
            filename = f"statistik-{association.slug}-{report.date_from}-{report.date_to}.{file_format}"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    # Formatted only when the template's cached fragment of this report is missing.
    sections = (lambda: [table_view(table) for table in report.tables]) if report is not None else []
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "reports/report.html", {
        "nav": "reports", "form": form, "report": report, "sections": sections,
        "description": describe(report) if report else [], "query": query.urlencode(),
        "counting_rules": COUNTING_RULES,
    })
