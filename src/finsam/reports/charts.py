"""What each table's chart shows: one definition, drawn as SVG on screen, as a native chart in
Excel and as a drawing in the PDF. Every chart is also shown as its table."""

from dataclasses import dataclass, field

from . import formatting

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinguishable in grey scale.
PALETTE = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a"]


@dataclass
class Chart:
    title: str
    categories: list  # labels
    series: list  # [(name, [value or None])]
    percent: bool = False
    notes: list = field(default_factory=list)


def chart_for(table):
    kind = table.chart
    body = [(k, label) for k, label in table.rows if k not in ("totalt", "varav_anonyma", "volym", "totalt_inkl_volym",
                                                                   "mean_months", "median_months", "underlag")]
    if not kind or not body:
        return None
    labels = [label for _, label in body]
    if kind == "bar":
        column = "count" if table.columns and table.columns[0][0] == "count" else "totalt"
        return Chart(table.title, labels, [("Antal", [table.cell(k, column) for k, _ in body])])
    if kind == "flow":
        return Chart(table.title, labels, [
            (name, [table.cell(k, f"{m}_totalt") for k, _ in body])
            for m, name in (("current", "Aktuella"), ("new", "Nya"), ("exited", "Avslutade"))
        ])
    if kind == "years":
        return Chart(table.title, labels, [
            (name, [table.cell(k, f"{m}_totalt") for k, _ in body])
            for m, name in (("current", "Aktuella"), ("new", "Nya"), ("exited", "Avslutade"))
        ])
    if kind == "share":
        return Chart(table.title, labels, [("Andel till arbete eller studier", [table.share(k, "work_or_study") for k, _ in body])],
                     percent=True)
    if kind == "support":
        return Chart(table.title, labels, [
            ("Vid inskrivning", [table.cell(k, "totalt_entry") for k, _ in body]),
            ("Vid avslut", [table.cell(k, "totalt_exit") for k, _ in body]),
        ])
    return None


def svg_geometry(chart, width=640):
    """Positions for a horizontal grouped bar chart; the template only draws them."""
    label_width, value_room, bar, gap = 230, 60, 14, 10
    plot = width - label_width - value_room
    values = [v for _, series in chart.series for v in series if v is not None]
    top = max(values) if values else 0
    top = top or 1
    group_height = bar * len(chart.series) + gap
    legend_height = 22
    bars, categories = [], []
    y = legend_height + 6
    for index, label in enumerate(chart.categories):
        categories.append({"y": y + (bar * len(chart.series)) / 2 + 4, "label": label})
        for s, (name, series) in enumerate(chart.series):
            value = series[index]
            length = 0 if value is None else max(1, plot * value / top) if value else 0
            text = formatting.MASKED if value is None else (formatting.share(value) if chart.percent else formatting.number(value))
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
