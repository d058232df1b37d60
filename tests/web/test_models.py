"""Units, periods, scoped querysets and the access helper."""

import pytest

from skm.core.access import can_manage, can_read, get_unit, readable_units
from skm.core.scopes import ScopeError
from skm.surveys.models import Response
from skm.units.models import Layanan, Membership, Period
from skm.units.periods import parse_period, period_containing
from tests.factories import add_responses, make_region, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2024-S2", "2024-07-01", "2024-12-31", "Semester II Tahun 2024"),
        ("2024-tw1", "2024-01-01", "2024-03-31", "Triwulan I Tahun 2024"),
        ("2024", "2024-01-01", "2024-12-31", "Tahun 2024"),
        ("2025-S1", "2025-01-01", "2025-06-30", "Semester I Tahun 2025"),
    ],
)
def test_parse_period(code, start, end, label):
    spec = parse_period(code)
    assert (str(spec.start), str(spec.end), spec.label) == (start, end, label)


@pytest.mark.parametrize("code", ["2024-S3", "2024-TW5", "24-S1", "semester 2", ""])
def test_parse_period_rejects(code):
    with pytest.raises(ValueError, match="eriode|Semester|Tahun"):
        parse_period(code)


def test_period_containing():
    from datetime import date

    assert period_containing(date(2024, 9, 17), "semester").code == "2024-S2"
    assert period_containing(date(2024, 9, 17), "triwulan").code == "2024-TW3"
    assert period_containing(date(2024, 9, 17), "tahun").code == "2024"


def test_year_contains_its_semesters(region):
    year = Period.get_or_create_code("2024")
    s1 = Period.get_or_create_code("2024-S1")
    other = Period.get_or_create_code("2025-S1")
    assert set(year.contained_periods()) == {year, s1, region.period}
    assert other not in year.contained_periods()


def test_unit_paths_and_subtree(region):
    expected = f"{region.kota.path}{region.kecamatan.pk}/{region.kelurahan.pk}/"
    assert region.kelurahan.path == expected
    assert set(region.kecamatan.subtree()) == {region.kecamatan, region.kelurahan, region.sibling}
    assert list(region.kelurahan.ancestors()) == [region.kota, region.kecamatan]


def test_moving_a_unit_moves_its_subtree(region):
    from tests.factories import make_unit

    other = make_unit("Kecamatan Cakung", "cakung", "kecamatan", region.kota)
    region.kecamatan.parent = other
    region.kecamatan.save()
    region.kelurahan.refresh_from_db()
    assert region.kelurahan.path.startswith(other.path)


def test_unscoped_queries_fail_loudly(region):
    add_responses(region.layanan[0], region.period, [[4] * 9])
    with pytest.raises(ScopeError):
        list(Response.objects.all())
    with pytest.raises(ScopeError):
        Response.objects.filter(source="online").count()
    with pytest.raises(ScopeError):
        Layanan.objects.exists()
    assert Response.objects.within([region.kelurahan]).count() == 1
    assert Response.objects.within([region.sibling]).count() == 0
    assert region.kelurahan.layanan.count() == 2  # related manager: scoped by its unit
    assert Response.objects.unscoped().count() == 1


def test_access_by_role(region):
    admin = make_user("admin", superuser=True)
    supervisor = make_user("camat", region.kecamatan, Membership.Role.SUPERVISOR)
    operator = make_user("operator", region.kelurahan, Membership.Role.OPERATOR)
    viewer = make_user("viewer", region.kelurahan, Membership.Role.VIEWER)
    outsider = make_user("luar", region.sibling, Membership.Role.OPERATOR)
    assert set(readable_units(admin)) == {region.kota, region.kecamatan, region.kelurahan,
                                          region.sibling}
    assert set(readable_units(supervisor)) == {region.kecamatan, region.kelurahan, region.sibling}
    assert set(readable_units(operator)) == {region.kelurahan}
    assert can_read(viewer, region.kelurahan) and not can_manage(viewer, region.kelurahan)
    assert can_manage(operator, region.kelurahan)
    assert not can_read(outsider, region.kelurahan)
    assert not can_manage(supervisor, region.kelurahan)
    from django.http import Http404

    with pytest.raises(Http404):
        get_unit(outsider, "jatinegara-kaum")
    with pytest.raises(Http404):
        get_unit(viewer, "jatinegara-kaum", manage=True)
    assert get_unit(operator, "jatinegara-kaum", manage=True) == region.kelurahan


def test_inactive_and_anonymous_users_read_nothing(region):
    from django.contrib.auth.models import AnonymousUser

    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    user.is_active = False
    assert not readable_units(user).exists()
    assert not readable_units(AnonymousUser()).exists()
