from django import template

from finsam.reports import formatting

register = template.Library()


@register.filter
def denominator_label(key):
    return formatting.DENOMINATORS.get(key, key)
