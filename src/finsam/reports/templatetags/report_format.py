from django import template

from finsam.reports import formatting

register = template.Library()


@register.simple_tag
def report_cell(table, row, col):
    return formatting.cell(table, row, col)


@register.simple_tag
def report_share(table, row, col):
    return formatting.share_cell(table, row, col)


@register.filter
def share_columns(table):
    return [(k, label) for k, label in table.columns if any(k in cols for cols in table.shares.values())]


@register.filter
def denominator_label(key):
    return formatting.DENOMINATORS.get(key, key)
