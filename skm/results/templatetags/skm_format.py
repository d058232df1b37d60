"""Template filters for Indonesian number formats, wrapping :mod:`skm.formatting`.

Templates never format a number themselves (``floatformat`` works on floats and rounds half to
even); they use these::

    {% load skm_format %}
    {{ group.ikm|id2 }}          3,93
    {{ priority.nrr|id4 }}       3,9410
    {{ overall.konversi|id2 }}   98,72
    {{ respondents|idint }}      1.250
    {{ count|idpct:total }}      46,1%
    {{ overall.grade|mutu_kinerja }}   A atau Sangat baik
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from skm.formatting import decimal_id, integer_id, percent_id

register = template.Library()


@register.filter
def id2(value):
    """Two decimals, half-up, decimal comma; "-" for no value."""
    return decimal_id(value, 2)


@register.filter
def id4(value):
    """Four decimals (unrounded comparisons such as the lowest unsur)."""
    return decimal_id(value, 4)


@register.filter
def iddec(value, places=2):
    """Any number of decimals: ``{{ value|iddec:3 }}``."""
    return decimal_id(value, int(places))


@register.filter
def idint(value):
    """A whole number with a dot between thousands: 1.250."""
    if value is None or value == "":
        return "-"
    return integer_id(int(value))


@register.filter
def idpct(part, whole):
    """``part`` as a percentage of ``whole``, one decimal: 46,1%."""
    return percent_id(int(part or 0), int(whole or 0))


@register.filter
def mutu_kinerja(grade):
    """A grade as the seed report writes it: "A atau Sangat baik"."""
    if not hasattr(grade, "mutu"):  # None, or "" for a missing attribute in a template
        return "-"
    return _("%(mutu)s atau %(kinerja)s") % {"mutu": grade.mutu, "kinerja": grade.kinerja}
