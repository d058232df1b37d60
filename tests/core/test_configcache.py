"""skm.core.configcache: what submissions read is remembered per process, and never outlives a
change, in this process or another."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.utils import timezone

from skm.api.models import ApiToken
from skm.core import configcache
from skm.surveys.models import QuestionnaireVersion, Response
from skm.surveys.recording import current_period, layanan_of, questionnaire_for, unit_by_slug
from skm.units.models import Layanan, Unit
from tests.factories import make_region, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses"
ANSWERS = {f"U{i}": 4 for i in range(1, 10)}


@pytest.fixture
def region():
    return make_region()


def another_process_changes(model, pk, **fields):
    """What another app process does: the row changes (here without model signals, as that
    process's signals do not reach this one), then the shared generation moves."""
    model._base_manager.filter(pk=pk).update(**fields)
    cache.set(configcache.KEY, 12345, None)


def test_a_remembered_row_costs_no_query(region, django_assert_num_queries):
    first = layanan_of(region.kelurahan, "pkk")
    unit = unit_by_slug("jatinegara-kaum")
    with django_assert_num_queries(0):
        assert layanan_of(region.kelurahan, "pkk") is first
        assert unit_by_slug("jatinegara-kaum") is unit


def test_another_process_change_is_seen_once_the_generation_moves(region):
    pkk = layanan_of(region.kelurahan, "pkk")
    assert pkk.active
    # no signal, generation unchanged:
    Layanan.objects.unscoped().filter(pk=pkk.pk).update(active=False)
    assert layanan_of(region.kelurahan, "pkk").active  # the memory answers: proves it is used
    another_process_changes(Layanan, pkk.pk, active=False)
    assert not layanan_of(region.kelurahan, "pkk").active


def test_a_save_in_this_process_is_seen_at_once(region):
    pkk = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="pkk")
    assert layanan_of(region.kelurahan, "pkk").active
    pkk.active = False
    pkk.save()
    assert not layanan_of(region.kelurahan, "pkk").active
    pkk.delete()
    assert layanan_of(region.kelurahan, "pkk") is None


def test_a_lost_cache_key_empties_the_memory(region):
    layanan_of(region.kelurahan, "pkk")
    Layanan.objects.unscoped().filter(unit=region.kelurahan, slug="pkk").update(name="Baru")
    cache.clear()  # e.g. Redis restarted: it keeps nothing on disk
    assert layanan_of(region.kelurahan, "pkk").name == "Baru"


def test_the_generation_is_read_once_per_request(region):
    request_started.send(sender=None)
    try:
        seen = configcache.generation()
        cache.set(configcache.KEY, seen + 1, None)
        assert configcache.generation() == seen  # within one request: the value it started with
    finally:
        request_finished.send(sender=None)
    assert configcache.generation() == seen + 1  # outside a request: every call reads


def test_a_bump_moves_the_generation_now_and_at_commit(django_capture_on_commit_callbacks):
    before = configcache.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        configcache.bump()
    now = configcache.generation()
    assert now != before
    assert len(callbacks) == 1
    callbacks[0]()
    assert configcache.generation() not in (before, now)


def test_unknown_keys_are_not_remembered(region):
    assert unit_by_slug("belum-ada") is None
    Unit.objects.bulk_create([Unit(name="Baru", slug="belum-ada", kind="kelurahan")])  # no signal
    assert unit_by_slug("belum-ada").name == "Baru"


def test_logins_and_token_use_do_not_empty_the_memory(region, client):
    user = make_user("operator", region.kelurahan, "operator")
    before = configcache.generation()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    after_issue = configcache.generation()
    assert after_issue != before  # a new token is a change
    assert ApiToken.from_key(key).pk == token.pk  # records last_used_at with an update
    assert configcache.generation() == after_issue
    user.first_name = "Siti"
    user.save()
    assert configcache.generation() != after_issue


def test_the_unit_questionnaire_is_remembered_with_its_unsur(region, django_assert_num_queries):
    QuestionnaireVersion.default()  # made on first use: a change, like any other
    version = questionnaire_for(region.kelurahan)
    with django_assert_num_queries(0):
        assert questionnaire_for(region.sibling) is version
        assert list(version.slot_codes().values()) == [f"U{i}" for i in range(1, 10)]
    custom = version.copy_as_new()
    unsur = custom.unsur.get(code="U4")
    unsur.code = "U4B"
    unsur.save()
    region.kelurahan.questionnaire = custom
    region.kelurahan.save()
    assert questionnaire_for(region.kelurahan).slot_codes()["a4"] == "U4B"


def test_the_current_period_is_remembered(region, django_assert_num_queries):
    current_period(region.kelurahan)  # made on first use: a change, like any other
    period = current_period(region.kelurahan)
    with django_assert_num_queries(0):
        assert current_period(region.kelurahan) is period


# -- through the API: what a kiosk sees ------------------------------------------------------------


def post(client, key, layanan="pkk"):
    return client.post(URL, {"unit": "jatinegara-kaum", "layanan": layanan, "answers": ANSWERS},
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {key}"})


def test_a_revoked_kiosk_token_is_refused_at_once(region, client):
    token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    assert post(client, key).status_code == 201
    token.revoke()
    assert post(client, key).status_code == 401


def test_a_token_revoked_by_another_process_is_refused_from_its_next_request(region, client):
    token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    assert post(client, key).status_code == 201
    another_process_changes(ApiToken, token.pk, revoked_at=timezone.now())
    assert post(client, key).status_code == 401


def test_a_deactivated_staff_user_is_refused_at_once(region, client):
    user = make_user("operator", region.kelurahan, "operator")
    _token, key = ApiToken.issue("staff", "Skrip", user=user)
    assert post(client, key).status_code == 201
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal ...
    user.refresh_from_db()
    user.save()  # ... until the admin saves it, as the admin form does
    assert post(client, key).status_code == 401


def test_a_closed_layanan_takes_no_more_answers(region, client):
    _token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    assert post(client, key).status_code == 201
    pkk = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="pkk")
    pkk.active = False
    pkk.save()
    assert post(client, key).status_code == 422
    assert Response.objects.unscoped().count() == 1


def test_a_restore_empties_the_memory(region, tmp_path, settings):
    from skm.core.backup import create_backup, restore_backup

    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = tmp_path / "cadangan.tar.gz"
    create_backup(archive)
    layanan_of(region.kelurahan, "pkk")
    before = configcache.generation()
    restore_backup(archive, force=True)
    assert configcache.generation() != before


# -- the cache unreachable (Redis down): slower, never wrong, never down ----------------------


class DownCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("redis: connection refused")

        return fail


def test_without_the_cache_every_lookup_reads_the_database(region, monkeypatch,
                                                           django_assert_num_queries):
    layanan_of(region.kelurahan, "pkk")
    monkeypatch.setattr(configcache, "cache", DownCache())
    with django_assert_num_queries(2):
        assert layanan_of(region.kelurahan, "pkk").slug == "pkk"
        assert layanan_of(region.kelurahan, "pkk").slug == "pkk"


def test_a_change_while_the_cache_is_down_renews_the_generation_when_it_is_back(region,
                                                                               monkeypatch):
    before = configcache.generation()
    monkeypatch.setattr(configcache, "cache", DownCache())
    pkk = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="pkk")
    pkk.active = False
    pkk.save()  # the bump cannot reach the cache
    assert configcache.generation() is None
    monkeypatch.setattr(configcache, "cache", cache)
    assert configcache.generation() not in (None, before)
    assert not layanan_of(region.kelurahan, "pkk").active


def test_a_kiosk_still_submits_while_the_cache_is_down(region, client, monkeypatch):
    _token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    monkeypatch.setattr(configcache, "cache", DownCache())
    assert post(client, key).status_code == 201
    assert post(client, key).status_code == 201


def test_a_change_rolled_back_is_never_served_from_memory(region):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        pkk = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="pkk")
        pkk.active = False
        pkk.save()
        assert not layanan_of(region.kelurahan, "pkk").active  # its own change, not kept
        raise RuntimeError("the admin form failed later on")
    assert layanan_of(region.kelurahan, "pkk").active


def test_memory_works_again_after_the_transaction(region, django_assert_num_queries):
    from django.db import transaction

    with transaction.atomic():
        region.kelurahan.save()  # a change of a watched row inside the transaction
        layanan_of(region.kelurahan, "pkk")  # read, not remembered
    layanan_of(region.kelurahan, "pkk")  # the transaction has ended: remembered again
    with django_assert_num_queries(0):
        layanan_of(region.kelurahan, "pkk")
