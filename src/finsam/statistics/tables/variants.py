"""Variants of the registered tables, asked for per report (docs/report-tables-extra.md):

- **Sections per insats.** Every table declared ``in_sections`` again for each insats of the report
  alone, as the table ``<id>:<insats slug>``. Its counts add up over the insatser to the whole
  report's (each participation is in one insats; ``unique`` counts persons and does not), and within
  a section the whole report's relations hold with the insats's row of the tables that have one
  (``per_insats="rows"``: flow, work_or_study) in place of their total; a table with a column per
  insats (``"columns"``: referrer_intervention) takes part with the insats's own column.
- **Previous period.** Every table declared ``in_previous`` gets, for each column ``c``, the column
  ``c_previous`` (the same count a year earlier, with the same sums and relations) and ``c_change``
  (now − then); for each share, ``c_change_pp`` (the change in percentage points). Changes are measures
  of the table hidden with either count behind them (``Table.measure_of``), so masking and
  differencing need nothing new; ``registry.register`` makes every table's decomposition shift a
  ``_previous`` column's atoms a year back.

What a table takes part in is its declaration; the one table known here by name is flow, whose
``varav_anonyma`` row a section's relations need per insats (``SECTION_ANONYMOUS``): no other table
counts an insats's anonymous participations, and masking must protect them in each section.
"""

from .data import COUNT, MEASURE
from .registry import (
    CHANGE, PREVIOUS, PREVIOUS_POINTS, UNPUBLISHED, Relations, UnpublishedSpec, get, register, year_earlier,
)

SECTION_ANONYMOUS = f"{UNPUBLISHED}section_anonymous"  # an insats's anonymous participations: flow's row of it


def _section_anonymous_atoms(table_id, row, col, scope, start, end):
    flow = get("flow")  # whose varav_anonyma row this is, for the one insats
    return flow.decompose("flow", "varav_anonyma", col, (row,), start, end) if flow else None


register(UnpublishedSpec(SECTION_ANONYMOUS, decompose=_section_anonymous_atoms))


def _is_count(table, row, col):
    value = table.cell(row, col)
    return table.kind(row, col) == COUNT and isinstance(value, int) and not isinstance(value, bool)


# --- sections per insats ------------------------------------------------------------------------------

def section_id(table_id, slug):
    return f"{table_id}:{slug}"


def add_sections(ctx, specs, built, relations, context_for):
    """The sections of a report over two or more insatser (none nationally): tables appended to
    ``built``, their relations to ``relations``."""
    if ctx.association is None or len(ctx.groups) < 2:
        return
    whole = {t.id: t for t in built}
    in_sections = [s for s in specs if s.in_sections and s.id in whole]
    per_insats = {s.id: s.per_insats for s in specs if s.per_insats}
    sections = {}
    relations.present.update(section_id(spec.id, slug) for spec in in_sections for slug, _ in ctx.groups)
    for slug, name in ctx.groups:
        section = context_for(ctx.period.start, ctx.period.end, [slug])
        tables = {spec.id: spec.build(section) for spec in in_sections}
        sections[slug] = tables
        known = Relations({*whole, *tables})
        for spec in in_sections:
            if spec.relations:
                spec.relations(section, tables[spec.id], known)
        for spec in specs:  # what a table with a row or column per insats ties to the section's tables
            if spec.per_insats and spec.relations and spec.id in whole:
                spec.relations(section, whole[spec.id], known)
        own = set(tables)

        def cell_map(cell, slug=slug, own=own):
            table_id, row, col = cell
            if str(table_id).startswith(UNPUBLISHED):
                return cell if row == slug else (section_id(table_id, slug), row, col)
            if table_id in own:
                return (section_id(table_id, slug), row, col)
            if per_insats.get(table_id) == "rows" and row == "varav_anonyma":  # the insats's anonymous ones
                return (SECTION_ANONYMOUS, slug, col)
            if per_insats.get(table_id) == "rows" and row == "totalt":
                return (table_id, slug, col)
            return cell if table_id in per_insats else None  # a table with no part per insats: not the section's

        for parts, total in known.relations:
            cells = [cell_map(c) for c in [*parts, total]]
            if None not in cells:
                relations.add(cells[:-1], cells[-1])
        for part, whole_cell in known.bounds:
            part, whole_cell = cell_map(part), cell_map(whole_cell)
            if part and whole_cell and not any(str(c[0]).startswith(UNPUBLISHED) for c in (part, whole_cell)):
                relations.bound(part, whole_cell)
    for spec in in_sections:  # the sections add up to the whole
        table = whole[spec.id]
        for row, cols in table.cells.items():
            for col, value in cols.items():
                parts = [(section_id(spec.id, slug), row, col) for slug, tables in sections.items()
                         if row in tables[spec.id].cells]
                if _is_count(table, row, col) and (spec.additive_rows is None or row in spec.additive_rows):
                    relations.add(parts, (spec.id, row, col))
                elif _is_count(table, row, col):  # persons: a section's are some of the whole's
                    for part in parts:
                        relations.bound(part, (spec.id, row, col))
    for slug, name in ctx.groups:
        for table in sections[slug].values():
            table.id, table.title = section_id(table.id, slug), f"{table.title} – {name}"
            built.append(table)


# --- the previous period --------------------------------------------------------------------------

def add_previous(ctx, specs, built, relations, context_for):
    """Columns of the period a year earlier and of the change, in every table declared ``in_previous``."""
    before = context_for(year_earlier(ctx.period.start), year_earlier(ctx.period.end))
    tables = {t.id: t for t in built}
    compared = [s for s in specs if s.in_previous and s.id in tables]
    earlier = {spec.id: spec.build(before) for spec in compared}
    known = Relations(earlier)
    for spec in compared:
        if spec.relations:
            spec.relations(before, earlier[spec.id], known)

    def cell_map(cell):
        table_id, row, col = cell
        if str(table_id).startswith(UNPUBLISHED):
            return (f"{table_id}{PREVIOUS}", row, col)
        return (table_id, row, f"{col}{PREVIOUS}")

    for parts, total in known.relations:
        relations.add([cell_map(c) for c in parts], cell_map(total))
    for part, whole in known.bounds:
        relations.bound(cell_map(part), cell_map(whole))
    label = period_label(before.period.start, before.period.end)
    for spec in compared:
        merge_previous(tables[spec.id], earlier[spec.id], label)


def period_label(start, end):
    """A calendar year by its number ("2023", as annual reports head their columns), any other
    period by its dates."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()}–{end.isoformat()}"


def merge_previous(table, then, label):
    """``then``'s cells as ``<col>_previous`` columns of ``table``, with the changes."""
    for row, row_label in then.rows:  # a row of the earlier period only (a former member): 0 now
        if row not in table.cells:
            table.rows.append((row, row_label))
            table.cells[row] = {c: (0 if _is_count(then, row, c) else None) for c, _ in table.columns}
    columns = list(table.columns)
    share_columns = {c for shares in [*table.shares.values(), *then.shares.values()] for c in shares}
    for col, col_label in columns:
        table.columns.append((f"{col}{PREVIOUS}", f"{col_label}, {label}"))
        table.columns.append((f"{col}{CHANGE}", f"{col_label}, förändring"))
        table.column_kinds[f"{col}{CHANGE}"] = MEASURE
        if col in then.column_kinds:
            table.column_kinds[f"{col}{PREVIOUS}"] = then.column_kinds[col]
        if col in share_columns:
            table.columns.append((f"{col}{PREVIOUS_POINTS}", f"{col_label}, andel, förändring i procentenheter"))
            table.column_kinds[f"{col}{PREVIOUS_POINTS}"] = MEASURE
    for (row, col), kind in then.cell_kinds.items():
        table.cell_kinds[(row, f"{col}{PREVIOUS}")] = kind
    for row, _ in table.rows:
        cells = table.cells.setdefault(row, {})
        for col, _ in columns:
            now, was = cells.get(col), then.cell(row, col)
            cells[f"{col}{PREVIOUS}"] = was
            cells[f"{col}{CHANGE}"] = None
            if _is_count(table, row, col) or _is_count(then, row, col):
                cells[f"{col}{CHANGE}"] = (now or 0) - (was or 0)
                table.measure_of[(row, f"{col}{CHANGE}")] = [(row, col), (row, f"{col}{PREVIOUS}")]
            elif table.kind(row, col) == MEASURE and all(isinstance(v, (int, float)) for v in (now, was)):
                cells[f"{col}{CHANGE}"] = now - was  # e.g. a mean: hidden with the counts of either
                table.measure_of[(row, f"{col}{CHANGE}")] = [
                    *table.measure_of.get((row, col), ()), *((r, f"{c}{PREVIOUS}") for r, c in then.measure_of.get((row, col), ()))]
            if col in share_columns:
                a, b = table.share(row, col), then.share(row, col)
                cells[f"{col}{PREVIOUS_POINTS}"] = None if a is None or b is None else (a - b) * 100
                own, earlier = table.share_refs.get((row, col), ()), then.share_refs.get((row, col), ())
                table.measure_of[(row, f"{col}{PREVIOUS_POINTS}")] = [*own, *((r, f"{c}{PREVIOUS}") for r, c in earlier)]
    for row, shares in then.shares.items():
        for col, value in shares.items():
            of, per = then.share_refs[(row, col)]
            table.set_share(row, f"{col}{PREVIOUS}", 0, 0, of=(of[0], f"{of[1]}{PREVIOUS}"),
                            per=(per[0], f"{per[1]}{PREVIOUS}"))
            table.shares[row][f"{col}{PREVIOUS}"] = value
    table.sums += [([(r, f"{c}{PREVIOUS}") for r, c in parts], (total[0], f"{total[1]}{PREVIOUS}"))
                   for parts, total in then.sums]
    for (row, col), counts in then.measure_of.items():
        table.measure_of[(row, f"{col}{PREVIOUS}")] = [(r, f"{c}{PREVIOUS}") for r, c in counts]
    table.goal_rows = list(table.goal_rows)
    table.notes.append(f"Jämförelse med samma period ett år tidigare ({label}): antal och förändring; andelarnas "
                       "förändring i procentenheter.")

