"""Shared data for the publication tests: the region of tests.factories with known rows in
2024-S2, different figures in 2024-S1, the seed's RTL in 2024-S2 and a secret RTL in 2024-S1."""

from __future__ import annotations

import re

from django.test import Client

from skm.followup.models import RtlItem
from skm.publication.models import Publication
from skm.units.models import Period
from tests.factories import PASSWORD, add_responses, make_user, region_with_rows
from tests.followup.helpers import ekbang, seed_items

#: a program text that exists only in the unpublished period's RTL
SECRET_PROGRAM = "Program khusus semester satu yang belum dipublikasikan"


def published_region():
    """region_with_rows() (2024-S2) plus 2024-S1 with other figures and its own RTL item."""
    region = region_with_rows()
    seed_items(region)
    s1 = Period.get_or_create_code("2024-S1")
    add_responses(region.layanan[0], s1, [[3] * 9, [3] * 9])
    RtlItem.objects.create(unit=region.kelurahan, period=s1, unsur_codes=["U4"],
                           program=SECRET_PROGRAM, quarters=["2024-TW2"],
                           section=ekbang(region.kelurahan))
    region.s1 = s1
    return region


def login(username, unit=None, role=None, superuser=False, **client_options) -> Client:
    make_user(username, unit, role, superuser=superuser)
    client = Client(**client_options)
    assert client.login(username=username, password=PASSWORD)
    return client


def publish_url(unit, period):
    return f"/p/kelola/{unit.slug}/{period.code}/publish"


def withdraw_url(unit, period):
    return f"/p/kelola/{unit.slug}/{period.code}/withdraw"


def results_url(unit, period):
    return f"/u/{unit.slug}/{period.code}/"


def live_count(unit, period=None) -> int:
    rows = Publication.objects.within([unit]).filter(withdrawn_at__isnull=True)
    if period is not None:
        rows = rows.filter(period=period)
    return rows.count()


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, for phrases that span
    markup."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
