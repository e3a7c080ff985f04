"""Masking small numbers for publication (``variables.md``): counts from 1 to threshold - 1 are
hidden (primary suppression), and wherever a row or column with a total would then have a single
hidden cell, one more cell is hidden (secondary suppression), so that no hidden value can be
recovered by subtraction. Shares computed from a hidden count are hidden too. Applied once to the
report's tables, so every format shows the same cells."""


def mask_table(table, threshold):
    if threshold <= 1:
        return
    hidden = set()
    for row, columns in table.cells.items():
        for col, value in columns.items():
            if (row, col) in table.measures or not isinstance(value, int) or isinstance(value, bool):
                continue
            if 0 < value < threshold:
                hidden.add((row, col))
    changed = True
    while changed:
        changed = False
        for parts, total in table.sums:
            cells = [c for c in parts + [total] if table.cell(*c) is not None or c in hidden]
            masked_here = [c for c in cells if c in hidden]
            if len(masked_here) != 1:
                continue
            # Hide the smallest other cell of the relation: a non-zero part if there is one.
            candidates = sorted(
                (c for c in cells if c not in hidden),
                key=lambda c: (c == total, table.cell(*c) == 0, table.cell(*c) or 0),
            )
            if candidates:
                hidden.add(candidates[0])
                changed = True
    for row, col in sorted(hidden):
        table.cells[row][col] = None
        _hide_shares(table, row, col)
    table.masked = sorted(hidden)


def _hide_shares(table, row, col):
    """A share whose numerator or denominator is hidden is hidden as well."""
    shares = table.shares
    hidden = []
    if col in shares.get(row, {}):
        hidden.append((row, col))
    if row == "totalt":  # a hidden column total is the denominator of that column's shares
        hidden += [(r, col) for r in shares if col in shares[r]]
    if table.id == "work_or_study" and col.startswith(("exited", "work_or_study")):
        suffix = col[len("exited"):] if col.startswith("exited") else col[len("work_or_study"):]
        if f"work_or_study{suffix}" in shares.get(row, {}):
            hidden.append((row, f"work_or_study{suffix}"))
    for r, c in hidden:
        shares[r][c] = None
        table.masked_shares.add((r, c))


def mask_report(report, threshold):
    for table in report.tables:
        mask_table(table, threshold)
    report.published = True
    report.threshold = threshold
