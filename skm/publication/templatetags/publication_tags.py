"""The publication panel of the staff results page: whether the period is public, since when,
the public link, and (for those who may manage the unit) the publish / withdraw button.

Computed here rather than in the results view, so that page's logic stays untouched::

    {% load publication_tags %}
    {% publication_panel unit period %}
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from skm.core.access import can_manage
from skm.followup.services import tanggal_id

from ..models import Publication

register = template.Library()


@register.inclusion_tag("publication/_staff_panel.html", takes_context=True)
def publication_panel(context, unit, period):
    request = context.get("request")
    user = getattr(request, "user", None)
    history = list(Publication.objects.within([unit]).filter(period=period)
                   .select_related("published_by", "withdrawn_by"))
    current = next((p for p in history if p.live), None)
    last_withdrawn = next((p for p in history if not p.live), None)
    return {
        "unit": unit,
        "period": period,
        "current": current,
        "published_on": tanggal_id(timezone.localdate(current.published_at)) if current else "",
        "last_withdrawn": last_withdrawn,
        "withdrawn_on": (tanggal_id(timezone.localdate(last_withdrawn.withdrawn_at))
                         if last_withdrawn else ""),
        "can_manage": bool(user) and can_manage(user, unit),
        "csrf_token": context.get("csrf_token"),
    }
