"""What each table's chart shows: one definition, drawn as SVG on screen, as a native chart in
Excel and as a drawing in the PDF. Every chart is also shown as its table."""

from dataclasses import dataclass, field

from finsam.statistics.tables import AMOUNT_KR

from . import formatting
from .units import KR, UNITS

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinguishable in grey scale.
PALETTE = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a"]


@dataclass
class Chart:
    title: str
    categories: list  # labels
    series: list  # [(name, [value or None])]
    percent: bool = False
    notes: list = field(default_factory=list)
    # Amounts (the series' columns are of kind AMOUNT_KR): values are exact kronor, shown in ``unit``.
    amount: bool = False
    unit: str = KR

    def text(self, value):
        if value is None:
            return formatting.MASKED
        if self.percent:
            return formatting.share(value)
        if self.amount:
            return formatting.amount(value, self.unit)
        return formatting.number(value)

    def scaled(self, value):
        """A value as plotted: a fraction, a count, or an amount in the chart's unit (exact)."""
        if value is None:
            return None
        return float(value) / UNITS[self.unit] if self.amount else value


def chart_for(table, unit=KR):
    """The chart the table's declaration asks for (``registry.Chart``): one bar per row that is not a
    summary row, per series; None without a chart or without rows to plot. A chart of amount columns
    (their declared kind) plots the exact amounts in ``unit``."""
    spec = table.chart
    body = [(k, label) for k, label in table.rows if k not in spec.summary_rows] if spec else []
    if not body:
        return None
    series = [(s.name, [table.share(k, s.column) if s.share else table.cell(k, s.column) for k, _ in body])
              for s in spec.series]
    amount = not spec.percent and all(table.kind(k, s.column) == AMOUNT_KR for s in spec.series for k, _ in body)
    return Chart(table.title, [label for _, label in body], series, percent=spec.percent, amount=amount, unit=unit)


def svg_geometry(chart, width=640):
    """Positions for a horizontal grouped bar chart; the template only draws them."""
    label_width, value_room, bar, gap = 230, 60, 14, 10
    plot = width - label_width - value_room
    values = [chart.scaled(v) for _, series in chart.series for v in series if v is not None]
    top = max(values) if values else 0
    top = top or 1
    group_height = bar * len(chart.series) + gap
    legend_height = 22
    bars, categories = [], []
    y = legend_height + 6
    for index, label in enumerate(chart.categories):
        categories.append({"y": y + (bar * len(chart.series)) / 2 + 4, "label": label})
        for s, (name, series) in enumerate(chart.series):
            value = chart.scaled(series[index])
            # A negative value (an amount) gets no bar, only its text.
            length = 0 if value is None or value <= 0 else max(1, plot * value / top)
            text = chart.text(series[index])
            bars.append({
                "x": label_width, "y": y + s * bar, "w": round(length, 1), "h": bar - 2, "color": PALETTE[s % len(PALETTE)],
                "text_x": label_width + length + 4, "text_y": y + s * bar + bar - 4, "text": text, "name": name,
                "category": label,
            })
        y += group_height
    legend = [{"x": label_width + i * 150, "color": PALETTE[i % len(PALETTE)], "name": name}
              for i, (name, _) in enumerate(chart.series)]
    return {"width": width, "height": y + 4, "bars": bars, "categories": categories, "legend": legend,
            "label_width": label_width}
