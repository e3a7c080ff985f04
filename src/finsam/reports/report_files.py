"""A report file asked for by ids only (förbund, exporter, period, insats slugs, the page's choices
of masking preview, sections and previous period, or a published report), so that the same request can be rendered in the web request, by the command or
by a background job that holds nothing but these parameters (pretix's exporters: form data holds
only ids). Whoever renders one checks the requester's rights with ``check`` first."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from finsam.statistics.cache import cached_report

from . import units
from .exporters import registry
from .forms import check_scope, report_scope


# Reports with more cells than this are rendered by a background job in the heavy formats (Excel;
# PDF from REPORT_JOB_CELLS / its job_weight cells) instead of in the request (docs/decisions.md,
# issue 11 and "Tagged PDFs"; bench/report_files.py).
REPORT_JOB_CELLS = 5000


def cells_of(report):
    """A report's size as its renderers see it: rows × columns over all its tables."""
    return sum(len(t.rows) * len(t.columns) for t in report.tables)


def is_big(report, exporter):
    """True when ``exporter`` renders ``report`` in a background job rather than in the request: a
    heavy format, and more cells, weighted by what a cell costs that exporter, than REPORT_JOB_CELLS."""
    return bool(exporter.heavy) and cells_of(report) * exporter.job_weight > REPORT_JOB_CELLS


def in_background(report):
    """The labels of the formats that ``report`` would be rendered in by a background job."""
    return [e.label for e in registry if is_big(report, e)]


@dataclass(frozen=True)
class ReportFile:
    association_id: int
    exporter: str
    date_from: datetime.date | None = None  # a live report's period; None for a published report
    date_to: datetime.date | None = None
    interventions: tuple = ()  # slugs; empty = the whole förbund
    publish: bool = False  # a live report previewed with publication masking
    sections: bool = False  # a live report with a section per insats
    previous: bool = False  # a live report compared with the same period a year earlier
    published_id: int | None = None  # a published report instead of a live one
    unit: str = ""  # amounts shown in "kr" or "tkr" (reports/units.py); "": the förbund's setting

    def params(self):
        """JSON-ready parameters (a job row stores these)."""
        return {
            "association": self.association_id, "exporter": self.exporter,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "interventions": list(self.interventions), "publish": self.publish, "published": self.published_id,
            "sections": self.sections, "previous": self.previous, "unit": self.unit,
        }

    @classmethod
    def from_params(cls, params):
        """The request ``params()`` stored; ValueError when they are not such parameters."""
        try:
            date = lambda value: datetime.date.fromisoformat(value) if value else None  # noqa: E731
            made = cls(
                association_id=int(params["association"]), exporter=str(params["exporter"]),
                date_from=date(params["date_from"]), date_to=date(params["date_to"]),
                interventions=tuple(str(s) for s in params["interventions"]), publish=bool(params["publish"]),
                published_id=None if params["published"] is None else int(params["published"]),
                sections=bool(params.get("sections", False)), previous=bool(params.get("previous", False)),
                unit=str(params.get("unit") or ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"Not report file parameters: {params!r}") from error
        if registry.get(made.exporter) is None:
            raise ValueError(f"Unknown exporter {made.exporter!r}")
        if made.unit and made.unit not in units.UNITS:
            raise ValueError(f"Unknown unit {made.unit!r}")
        if made.published_id is None and not (made.date_from and made.date_to):
            raise ValueError("A live report needs a period")
        return made

    def check(self, access):
        """PermissionDenied unless ``access`` (tenancy.permissions.Access of the requester in the
        förbund) may have this file now: the rules of the report pages, applied again."""
        if access.association.pk != self.association_id:
            raise PermissionDenied
        if self.published_id is not None:
            if not access.can("view_published_reports"):
                raise PermissionDenied
            return
        if not access.can("view_reports"):
            raise PermissionDenied
        check_scope(report_scope(access), self.interventions)  # a deltagaransvarig: their own insatser

    def report(self, association):
        """The Report to render (``association`` is the förbund of ``association_id``); a
        published report that is not the förbund's is a 404 to the caller (DoesNotExist)."""
        unit = self.unit or units.default_unit(association)
        if self.published_id is not None:
            return units.with_unit(association.published_reports.get(pk=self.published_id).report(), unit)
        return units.with_unit(cached_report(association, self.date_from, self.date_to, list(self.interventions),
                                             publish=self.publish, sections=self.sections, previous=self.previous),
                               unit)

    def filename(self, association, report):
        if self.published_id is not None:
            stem = f"publicerad-{association.slug}-{self.published_id}"
        else:
            stem = f"statistik-{association.slug}-{report.date_from}-{report.date_to}"
        return registry.get(self.exporter).filename(stem)

    def render(self, association, report=None):
        """(file name, content type, bytes)."""
        exporter = registry.get(self.exporter)
        report = report if report is not None else self.report(association)
        return self.filename(association, report), exporter.content_type, exporter.render(report)
