"""Report file formats as registered exporters (after pretix's ``BaseExporter``).

An exporter has an identifier (the ``format`` parameter of the report pages and the command), a
Swedish label (the download link), an extension, a content type and ``render(report) -> bytes``.
The report page, the published report page, the download links and ``finsam report --format`` all
list ``registry``; nothing else names a format. Another app adds a format by registering an
exporter from its ``AppConfig.ready()`` (docs/architecture.md, "How to add an exporter").

The built-in exporters wrap the renderer modules (render_xlsx.py, render_pdf.py, render_csv.py,
json_output.py, html.py) without knowing how they format a table."""

from django.template.loader import render_to_string

from finsam.statistics.tables import COUNTING_RULES

from . import json_output, render_csv, render_pdf, render_xlsx
from .describe import describe
from .html import table_view


class Exporter:
    """One file format of a report. Subclass it and set the four attributes, or pass them."""

    identifier = ""  # short, stable, ASCII: used in URLs (?format=), the command and job parameters
    label = ""  # Swedish, shown on the download link
    extension = ""  # without the dot
    content_type = ""
    # True for formats whose rendering takes seconds for a big report (docs/decisions.md, issue 11):
    # the report page may hand those to a background job instead of rendering them in the request.
    heavy = False
    # What a cell costs this format to render, as a multiple of Excel's (bench/report_files.py): a heavy
    # format goes to a job above REPORT_JOB_CELLS / job_weight cells (reports/report_files.is_big).
    job_weight = 1

    def __init__(self, identifier=None, label=None, extension=None, content_type=None, render=None, heavy=None,
                 job_weight=None):
        for name, value in (("identifier", identifier), ("label", label), ("extension", extension),
                            ("content_type", content_type), ("heavy", heavy), ("job_weight", job_weight)):
            if value is not None:
                setattr(self, name, value)
        if render is not None:
            self._render = render

    def render(self, report):
        """The file's bytes for ``report`` (a statistics.tables.Report, masked or not)."""
        return self._render(report)

    def _render(self, report):
        raise NotImplementedError(f"Exporter {self.identifier!r} has no render()")

    def filename(self, stem):
        return f"{stem}.{self.extension}"

    def __repr__(self):
        return f"<Exporter {self.identifier}>"


class Registry:
    """The exporters in the order their links are shown. Identifiers are unique: registering one
    twice is a programming error, not an override."""

    def __init__(self):
        self._exporters = {}

    def register(self, exporter):
        if not exporter.identifier or not exporter.identifier.isascii() or not exporter.identifier.isalnum():
            raise ValueError(f"An exporter's identifier must be short ASCII letters and digits: {exporter.identifier!r}")
        if not (exporter.label and exporter.extension and exporter.content_type):
            raise ValueError(f"Exporter {exporter.identifier!r} needs a label, an extension and a content type")
        if exporter.identifier in self._exporters:
            raise ValueError(f"An exporter {exporter.identifier!r} is already registered")
        self._exporters[exporter.identifier] = exporter
        return exporter

    def get(self, identifier):
        """The exporter, or None for an identifier nobody registered (any string from a URL)."""
        return self._exporters.get(identifier) if isinstance(identifier, str) else None

    def __iter__(self):
        return iter(list(self._exporters.values()))

    def __contains__(self, identifier):
        return self.get(identifier) is not None

    def identifiers(self):
        return list(self._exporters)

    def links(self):
        """[(identifier, label)] for the download links of a report page."""
        return [(e.identifier, e.label) for e in self]


registry = Registry()


def render_html(report):
    """The report as one self-contained HTML file (no external style or script), the same tables
    and charts as the page."""
    return render_to_string("reports/export.html", {
        "report": report, "description": describe(report), "counting_rules": COUNTING_RULES,
        "sections": [table_view(table, report.unit) for table in report.tables],
    }).encode("utf-8")


registry.register(Exporter("xlsx", "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           render_xlsx.render, heavy=True))
# The tagged PDF takes about 3.5 ms a cell, Excel about 0.2 ms (docs/performance.md): above 1 500 cells a
# PDF is made by a job, so that a direct download answers in about 5 s at most.
registry.register(Exporter("pdf", "PDF", "pdf", "application/pdf", render_pdf.render, heavy=True, job_weight=10 / 3))
registry.register(Exporter("csv", "CSV", "csv", "text/csv; charset=utf-8", render_csv.render))
registry.register(Exporter("json", "JSON", "json", "application/json; charset=utf-8", json_output.render))
registry.register(Exporter("html", "Webbsida (HTML)", "html", "text/html; charset=utf-8", render_html))
