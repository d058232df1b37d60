"""The permission matrix: every named URL, for every role, on an own and a foreign unit.

``ROUTES`` classifies every named URL pattern of the project. A new URL that is not in it fails
``test_every_url_is_classified``: add it to ``ROUTES`` with its access class (and, for a POST
action, ``POST`` among its methods); docs/access.md is generated from the same table
(``python -m tests.security.test_permission_matrix`` prints it).

For each user the matrix requests every URL on three units: the own kelurahan, a sibling
kelurahan in the same kecamatan and a kelurahan of another kecamatan. A unit the user may not
see must answer 404 (302 to the login page for anonymous users), never 200 and never 500; a
denied POST must change no row of any table.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from skm.followup.evidence import add_evidence, prepare
from skm.followup.models import Evidence, RtlItem
from skm.imports import jobs as import_jobs
from skm.imports.models import ImportJob
from skm.publication import services as publication
from skm.surveys.models import Response
from skm.units.models import Layanan, Membership, Section, Unit
from tests.factories import add_responses, make_unit, make_user, region_with_rows
from tests.followup.helpers import seed_items

# ---- the classification ----------------------------------------------------------------------

PUBLIC = "public"  # anyone, logged in or not
LOGIN = "login"  # any logged-in user; shows only what the user may read
READ = "read"  # readers of the unit: admin, supervisor above it, its operator and viewer
MANAGE = "manage"  # managers of the unit: admin and its operator
STAFF = "staff"  # Django admin pages any staff account may open (its own password, the index)
ADMIN = "admin-only"  # superusers only (the Django admin)
API = "api"  # /api/v1/: tests/security/test_api_permission_matrix.py
#: the audit log: admins, supervisors and operators, each seeing its own units' entries; other
#: logged-in users get 403
AUDIT = "audit"

GET, POST = ("GET",), ("GET", "POST")

#: URL name -> (access, methods tested). "admin:*" classifies the whole admin namespace: every
#: model page there is for superusers only; the exceptions are listed by name.
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    # results (skm/results/urls.py)
    "home": (LOGIN, GET),
    "unit": (READ, GET),
    "results": (READ, GET),
    "results-data": (READ, GET),
    "subtree": (READ, GET),
    # unit management (skm/units/urls.py)
    "manage": (MANAGE, GET),
    "manage-layanan-add": (MANAGE, POST),
    "manage-layanan-edit": (MANAGE, POST),
    "manage-population": (MANAGE, POST),
    "manage-section-add": (MANAGE, POST),
    "manage-section-edit": (MANAGE, POST),
    # follow-up (skm/followup/urls.py)
    "rtl": (READ, GET),
    "rtl-add": (MANAGE, POST),
    "rtl-edit": (MANAGE, POST),
    "rtl-realisasi": (MANAGE, POST),
    "rtl-evidence-add": (MANAGE, POST),
    "rtl-evidence-file": (READ, GET),
    "rtl-evidence-thumb": (READ, GET),
    "rtl-evidence-edit": (MANAGE, POST),
    "rtl-evidence-delete": (MANAGE, POST),
    "rtl-history": (READ, GET),
    "rtl-subtree": (READ, GET),
    # reports (skm/reports/urls.py)
    "report-download": (READ, GET),
    # publication (skm/publication/urls.py)
    "publication-publish": (MANAGE, POST),
    "publication-withdraw": (MANAGE, POST),
    "public-unit": (PUBLIC, GET),
    "public-period": (PUBLIC, GET),
    "public-poster": (PUBLIC, GET),
    # paper entry and review (skm/surveys/paper_urls.py, review_urls.py)
    "paper-entry": (MANAGE, POST),
    "paper-history": (MANAGE, GET),
    "paper-correct": (MANAGE, POST),
    "paper-response-history": (MANAGE, GET),
    "review": (MANAGE, GET),
    "review-decide": (MANAGE, POST),
    # importing survey files (skm/imports/urls.py)
    "import-upload": (MANAGE, POST),
    "import-job": (MANAGE, POST),
    "import-status": (MANAGE, GET),
    "import-errors": (MANAGE, GET),
    # the audit log (skm/audit/urls.py)
    "audit": (AUDIT, GET),
    "audit-csv": (AUDIT, GET),
    # export (skm/imports/export_urls.py): personal data, managers only
    "export": (MANAGE, GET),
    "export-download": (MANAGE, GET),
    # the public survey (skm/surveys/urls.py)
    "survey-unit": (PUBLIC, GET),
    "survey-unit-qr": (PUBLIC, GET),
    "survey-print": (PUBLIC, GET),
    "survey-form": (PUBLIC, POST),
    "survey-thanks": (PUBLIC, GET),
    "survey-form-qr": (PUBLIC, GET),
    # accounts and languages
    "login": (PUBLIC, GET),
    "logout": (PUBLIC, ("POST",)),
    "set_language": (PUBLIC, ("POST",)),
    # two-factor login (skm/core/urls.py)
    "twofactor_setup": (LOGIN, POST),
    "twofactor_verify": (LOGIN, POST),
    "twofactor_recovery_codes": (LOGIN, GET),
    "twofactor_disable": (LOGIN, POST),
    # the Django admin
    "admin:*": (ADMIN, GET),
    "admin:login": (PUBLIC, GET),
    "admin:logout": (PUBLIC, ("POST",)),
    "admin:index": (STAFF, GET),
    "admin:password_change": (STAFF, GET),
    "admin:password_change_done": (STAFF, GET),
    "admin:jsi18n": (STAFF, GET),
    # the API: every operation in tests/security/test_api_permission_matrix.py
    "api-v1:*": (API, GET),
}

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

#: (kind, format) of the report the matrix downloads: every kind goes through the same view.
REPORT = ("rekap", "xlsx")


def named_patterns(patterns=None, prefix="", namespace=""):
    """Every named URL pattern as (name with namespace, route, pattern)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from named_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def classify(name: str) -> tuple[str, tuple[str, ...]] | None:
    if name in ROUTES:
        return ROUTES[name]
    if ":" in name:
        return ROUTES.get(name.split(":", 1)[0] + ":*")
    return None


def all_routes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """name -> route, first pattern of each name (reverse() resolves to the same one)."""
    found = {}
    for name, route, _pattern in named_patterns():
        found.setdefault(name, route)
    return found


# ---- the world: three kelurahan in two kecamatan, and one user per role ----------------------


@dataclass
class Target:
    """The objects of one unit that URL kwargs are filled from."""

    unit: Unit
    layanan: Layanan
    section: Section
    item: RtlItem
    evidence: Evidence
    paper: Response
    flagged: Response
    import_job: ImportJob


USERS = ["anonymous", "viewer", "operator", "supervisor", "outsider", "other_supervisor",
         "staff", "admin"]
TARGETS = ["own", "sibling", "other"]

#: which targets each user may read / manage (the rules of skm/core/access.py, written out)
READS = {
    "anonymous": set(), "viewer": {"own"}, "operator": {"own"},
    "supervisor": {"own", "sibling"}, "outsider": {"sibling"}, "other_supervisor": {"other"},
    "staff": set(), "admin": {"own", "sibling", "other"},
}
MANAGES = {
    "anonymous": set(), "viewer": set(), "operator": {"own"}, "supervisor": set(),
    "outsider": {"sibling"}, "other_supervisor": set(), "staff": set(),
    "admin": {"own", "sibling", "other"},
}
#: names no page may show to a user who cannot read the unit (nor a unit below it)
SECRET_NAMES = {"own": "Jatinegara Kaum", "sibling": "Rawamangun", "other": "Kebon Manggis"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 30)).save(out, "PNG")
    return out.getvalue()


def _target(unit: Unit, period, operator, layanan=None) -> Target:
    layanan = layanan or unit.layanan.order_by("order").first()
    section = Section.objects.get_or_create(unit=unit, code="Ekbang",
                                            defaults={"name": "Seksi Ekbang"})[0]
    item = RtlItem.objects.filter(unit=unit, period=period).order_by("order").first()
    if item is None:
        item = RtlItem.objects.create(unit=unit, period=period, unsur_codes=["U1"],
                                      program="Apel pagi", quarters=["2024-TW3"],
                                      horizon="pendek", section=section, order=0)
    from skm.followup.models import Realisasi

    realisasi = Realisasi.objects.get_or_create(
        item=item, defaults={"status": "sudah", "deskripsi": "Selesai"})[0]
    [evidence] = add_evidence(realisasi, [prepare(SimpleUploadedFile("foto.png", _png(),
                                                                     "image/png"))])
    [paper] = add_responses(layanan, period, [[3] * 9], source="paper")
    Response.objects.unscoped().filter(pk=paper.pk).update(entered_by=operator,
                                                   submitted_at=timezone.now())
    [flagged] = add_responses(layanan, period, [[4] * 9])
    Response.objects.unscoped().filter(pk=flagged.pk).update(flags="straight", review="pending")
    import_job = ImportJob.objects.create(
        unit=unit, user=operator, file_name="survei.csv", options={"period": period.code},
        status="failed", result={"kind": "invalid", "message": "-", "total": 0, "errors": []})
    import_jobs.errors_path(import_job).write_text("baris,kolom,judul_kolom,nilai,masalah\n")
    return Target(unit, layanan, section, item, evidence, paper, flagged, import_job)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.VAR_DIR = tmp_path
    region = region_with_rows()
    seed_items(region)
    other_kecamatan = make_unit("Kecamatan Matraman", "matraman", "kecamatan", region.kota)
    other = make_unit("Kelurahan Kebon Manggis", "kebon-manggis", "kelurahan", other_kecamatan,
                      ["Akta Rahasia"])
    add_responses(other.layanan.get(), region.period, [[2] * 9])
    users = {
        "viewer": make_user("viewer", region.kelurahan, Membership.Role.VIEWER),
        "operator": make_user("operator", region.kelurahan, Membership.Role.OPERATOR),
        "supervisor": make_user("supervisor", region.kecamatan, Membership.Role.SUPERVISOR),
        "outsider": make_user("outsider", region.sibling, Membership.Role.OPERATOR),
        "other_supervisor": make_user("other_supervisor", other_kecamatan,
                                      Membership.Role.SUPERVISOR),
        "admin": make_user("admin", superuser=True),
    }
    users["staff"] = make_user("staff")
    users["staff"].is_staff = True
    users["staff"].save()
    targets = {
        "own": _target(region.kelurahan, region.period, users["operator"]),
        "sibling": _target(region.sibling, region.period, users["outsider"]),
        "other": _target(other, region.period, users["admin"]),
    }
    if apps.is_installed("django_otp.plugins.otp_totp"):  # its admin pages need a device
        apps.get_model("otp_totp", "TOTPDevice").objects.create(user=users["admin"],
                                                                name="uji")
    publication.publish(region.kelurahan, region.period, users["admin"], respondents=4)
    return region, users, targets


def kwargs_for(route: str, target: Target, period) -> dict:
    """Fill a route's parameters from the target unit's objects."""
    values = {
        "slug": target.unit.slug, "unit_slug": target.unit.slug, "period": period.code,
        "layanan_slug": target.layanan.slug, "kind": REPORT[0], "fmt": REPORT[1],
        "evidence": target.evidence.pk, "job": target.import_job.pk,
    }
    if "kelola/layanan/" in route:
        values["pk"] = target.layanan.pk
    elif "kelola/seksi/" in route:
        values["pk"] = target.section.pk
    elif "/rtl/" in route:
        values["pk"] = target.item.pk
    elif "/kertas/" in route:
        values["pk"] = target.paper.pk
    elif "/tinjauan/" in route:
        values["pk"] = target.flagged.pk
    if "qr." in route:
        values["fmt"] = "svg"
    return {key: values[key] for key in PARAM.findall(route)}


def _admin_model(name: str):
    """The model of an admin page name such as ``admin:units_layanan_change``."""
    parts = name.split(":", 1)[1].split("_")
    for cut in range(1, len(parts)):
        try:
            return apps.get_model("_".join(parts[:cut]), parts[cut])
        except LookupError:
            continue
    return None


def _admin_kwargs(route: str, name: str) -> dict:
    """Parameters of an admin page: an existing object of its model (or a harmless value)."""
    from django.contrib.contenttypes.models import ContentType

    model = _admin_model(name)
    first = model._base_manager.order_by("pk").first() if model else None
    unit = Unit.objects.order_by("pk").first()
    values = {}
    for param in PARAM.findall(route):
        if param == "content_type_id":
            values[param] = str(ContentType.objects.get_for_model(Unit).pk)
        elif param == "app_label":
            values[param] = "units"
        elif param == "object_id" and "content_type_id" in route:
            values[param] = str(unit.pk)
        else:
            values[param] = str(first.pk) if first else "1"
    return values


#: a plausible body for the POST actions that need one (the rest are refused or re-rendered)
def post_data(name: str, target: Target) -> dict:
    return {
        "manage-layanan-add": {"baru-name": "Layanan Curian", "baru-active": "on"},
        "manage-section-add": {"seksi-code": "Curian", "seksi-name": "Seksi Curian"},
        "rtl-add": {"baru-unsur_codes": ["U1"], "baru-program": "Program curian",
                    "baru-quarters": ["2024-TW4"], "baru-horizon": "pendek"},
        "review-decide": {"keputusan": "rejected"},
        "rtl-evidence-edit": {f"dokumentasi-{target.evidence.pk}-caption": "diubah"},
        "paper-entry": {"layanan": target.layanan.slug, "periode": "2024-S2",
                        **{f"U{i}": "4" for i in range(1, 10)}},
    }.get(name, {})


# ---- the database fingerprint: a denied POST changes nothing ---------------------------------

#: sessions change with every login; permissions and content types are static and large
SKIPPED_TABLES = {"django_session", "auth_permission", "django_content_type"}
#: written by every request, allowed or not: when a token was last used
SKIPPED_FIELDS = {"api.ApiToken": {"last_used_at"}}


def fingerprint() -> dict:
    """Every row of every table (the test data is small), sessions aside."""
    state = {}
    for model in apps.get_models():
        if model._meta.db_table in SKIPPED_TABLES:
            continue
        skipped = SKIPPED_FIELDS.get(model._meta.label, set())
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in skipped]
        state[model._meta.label] = list(
            model._base_manager.order_by("pk").values_list(*fields))
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# ---- the expectations ------------------------------------------------------------------------


def allowed(access: str, who: str, target: str) -> bool:
    if access == PUBLIC:
        return True
    if who == "anonymous":
        return False
    if access == LOGIN:
        return True
    if access == READ:
        return target in READS[who]
    if access == MANAGE:
        return target in MANAGES[who]
    if access == STAFF:
        return who in ("staff", "admin")
    if access == ADMIN:
        return who == "admin"
    if access == AUDIT:
        return who in ("admin", "supervisor", "operator", "outsider", "other_supervisor")
    raise AssertionError(access)


LOGOUTS = ("logout", "admin:logout")


def login_redirect(response) -> bool:
    location = response.get("Location", "")
    login_urls = (str(reverse(django_settings.LOGIN_URL)), reverse("admin:login"))
    return response.status_code == 302 and location.split("?")[0] in login_urls


def check(response, *, access, who, target, method, name, own_names) -> str | None:
    """None if ``response`` is what the matrix allows, else why not."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if allowed(access, who, target):
        if login_redirect(response) and name not in LOGOUTS:
            return "sent an allowed user to the login page"
        if status == 404 and access != PUBLIC:
            return "404 for an allowed user"
        if status == 403 and not (name == "paper-correct" or access == ADMIN):
            return "403 for an allowed user"
        return None
    # denied
    if status == 200 or status == 201 or status == 204:
        return f"{status} for a user who may not see it"
    if who == "anonymous":
        if not login_redirect(response) and status != 405:
            return f"anonymous got {status}, expected a redirect to the login page"
        return None
    if access in (ADMIN, STAFF):
        # Django's admin: a non-staff user is sent to the admin login, a staff user without
        # the model permission gets its documented 403
        if login_redirect(response):
            return None
        if who == "staff" and (status in (403, 404) or response.get(
                "Location", "").startswith(reverse("admin:index"))):
            return None  # no permission: 403, an app index 404, an object page back to /admin/
        return f"admin page gave {status}"
    if access == AUDIT and status == 403:
        return None  # the audit log says so to a logged-in user without a role that reads it
    if status == 405 and method == "GET":
        return None  # a POST-only action answers a GET the same for every unit
    if status != 404:
        return f"denied with {status}, expected 404"
    return None


def leaked_names(response, who: str) -> list[str]:
    """Names of units ``who`` may not read that a 200 page shows anyway."""
    if response.status_code != 200 or response.get("Content-Type", "").startswith(
            ("image/", "application/pdf", "application/vnd")):
        return []
    body = response.content.decode("utf-8", "replace")
    return [name for key, name in SECRET_NAMES.items()
            if key not in READS[who] and name in body]


def request(client, method, url, data, *, watch=False):
    """One request whose changes are rolled back, so every request sees the same data.
    ``watch``: also return the tables it changed (compared before the rollback)."""
    with transaction.atomic():
        before = fingerprint() if watch else None
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data)
        changed = changed_tables(before, fingerprint()) if watch else []
        transaction.set_rollback(True)
    return response, changed


def client_for(users, who, **options) -> Client:
    """A client that answers a server error with its 500 (recorded as a failure of the
    matrix) instead of raising it."""
    client = Client(raise_request_exception=False, **options)
    if who != "anonymous":
        client.force_login(users[who])
    return client


# ---- the tests -------------------------------------------------------------------------------


def test_every_url_is_classified():
    missing = [f"{name} ({route})" for name, route in all_routes().items()
               if classify(name) is None]
    assert not missing, (
        "Classify these URL names in ROUTES of tests/security/test_permission_matrix.py "
        "(public, login, read, manage, staff, admin-only or api), then regenerate "
        "docs/access.md: " + ", ".join(missing))


def test_the_classification_names_only_existing_urls():
    names = set(all_routes())
    namespaces = {name.split(":", 1)[0] for name in names if ":" in name}
    stale = [name for name in ROUTES
             if name not in names and not (name.endswith(":*") and name[:-2] in namespaces)]
    assert not stale, f"ROUTES names URLs that no longer exist: {stale}"


def cases():
    """(name, route, access, methods) for every web URL the matrix requests."""
    for name, route in sorted(all_routes().items()):
        access, methods = classify(name)
        if access != API:
            yield name, route, access, methods


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_permission_matrix(world, who):
    region, users, targets = world
    client = client_for(users, who)
    failures = []
    for name, route, access, methods in cases():
        unit_bound = "<slug:slug>" in route or "<slug:unit_slug>" in route
        for target in (TARGETS if unit_bound else ["own"]):
            if name.startswith("admin:"):
                kwargs = _admin_kwargs(route, name)
            elif unit_bound:
                kwargs = kwargs_for(route, targets[target], region.period)
            else:
                kwargs = {}
            url = reverse(name, kwargs=kwargs)
            for method in methods:
                denied = not allowed(access, who, target)
                response, changed = request(client, method, url,
                                            post_data(name, targets[target]),
                                            watch=denied and method == "POST")
                problem = check(response, access=access, who=who, target=target,
                                method=method, name=name, own_names=None)
                if problem is None and access not in (PUBLIC, ADMIN):
                    leaks = leaked_names(response, who)
                    if leaks:
                        problem = f"shows {leaks}"
                if problem is None and changed:
                    problem = f"a denied POST changed {changed}"
                if name in LOGOUTS and who != "anonymous":
                    client.force_login(users[who])
                if problem:
                    failures.append(f"{who} {method} {url} [{name}, {access}, {target}]: "
                                    f"{problem}")
    assert not failures, "\n".join(failures)


POST_ACTIONS = [name for name, (access, methods) in ROUTES.items()
                if "POST" in methods and access in (MANAGE,)]


@pytest.mark.django_db
def test_csrf_is_enforced_on_every_post_action(world):
    """The matrix posts without CSRF checks; a real browser session must send the token: a
    POST without it is refused (403) and changes nothing, even for the unit's operator."""
    region, users, targets = world
    client = client_for(users, "operator", enforce_csrf_checks=True)
    routes = all_routes()
    failures = []
    for name in POST_ACTIONS:
        url = reverse(name, kwargs=kwargs_for(routes[name], targets["own"], region.period))
        response, changed = request(client, "POST", url, post_data(name, targets["own"]),
                                    watch=True)
        if response.status_code != 403:
            failures.append(f"{name}: {response.status_code} without a CSRF token")
        if changed:
            failures.append(f"{name}: changed data without a CSRF token")
    # the public form too: its one-time token is no substitute for CSRF
    anonymous = Client(enforce_csrf_checks=True)
    url = reverse("survey-form", kwargs={"unit_slug": "jatinegara-kaum", "layanan_slug": "pkk"})
    response, changed = request(anonymous, "POST", url, {f"U{i}": "4" for i in range(1, 10)},
                                watch=True)
    if response.status_code != 403 or changed:
        failures.append(f"survey-form: {response.status_code} without a CSRF token")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_an_allowed_post_really_acts(world):
    """The "changed nothing" check means something only if it sees a change: the same POST
    that the matrix refuses to others, sent by the unit's operator, changes the response."""
    region, users, targets = world
    client = client_for(users, "operator")
    flagged = targets["own"].flagged
    url = reverse("review-decide", kwargs=kwargs_for(all_routes()["review-decide"],
                                                     targets["own"], region.period))
    response, changed = request(client, "POST", url, post_data("review-decide", targets["own"]),
                                watch=True)
    assert response.status_code == 302
    assert "surveys.Response" in changed
    response = client.post(url, post_data("review-decide", targets["own"]))
    stored = Response.objects.unscoped().get(pk=flagged.pk)
    assert stored.review == "rejected"
    assert timezone.now() - stored.reviewed_at < timedelta(minutes=1)


# ---- docs/access.md --------------------------------------------------------------------------

ROLE_COLUMNS = ["anonim", "viewer", "operator", "supervisor", "staf", "admin"]
SYMBOLS = {
    PUBLIC: ["ya"] * 6,
    LOGIN: ["→ masuk", "ya", "ya", "ya", "ya", "ya"],
    READ: ["→ masuk", "unitnya", "unitnya", "wilayahnya", "404", "semua"],
    MANAGE: ["→ masuk", "404", "unitnya", "404", "404", "semua"],
    STAFF: ["→ masuk", "→ masuk", "→ masuk", "→ masuk", "ya", "ya"],
    ADMIN: ["→ masuk", "→ masuk", "→ masuk", "→ masuk", "403", "ya"],
    AUDIT: ["→ masuk", "403", "unitnya", "wilayahnya", "403", "semua"],
}


def access_table() -> str:
    """The Markdown table of docs/access.md, from ROUTES and the URL resolver."""
    lines = ["| URL | nama | kelas | metode | " + " | ".join(ROLE_COLUMNS) + " |",
             "|---|---|---|---|" + "---|" * len(ROLE_COLUMNS)]
    admin_count = 0
    for name, route in sorted(all_routes().items(), key=lambda kv: kv[1]):
        access, methods = classify(name)
        if access == API:
            continue
        if name.startswith("admin:") and ROUTES.get(name) is None:
            admin_count += 1
            continue
        cells = SYMBOLS[access]
        lines.append(f"| `/{route}` | `{name}` | {access} | {', '.join(methods)} | "
                     + " | ".join(cells) + " |")
    lines.append(f"| `/admin/...` ({admin_count} halaman model) | `admin:*` | {ADMIN} | GET | "
                 + " | ".join(SYMBOLS[ADMIN]) + " |")
    return "\n".join(lines)


def test_docs_access_md_shows_the_current_matrix():
    """docs/access.md is generated from ROUTES; regenerate it with
    ``SKM_WRITE_ACCESS_DOC=1 pytest tests/security/test_permission_matrix.py``."""
    doc = Path(__file__).resolve().parents[2] / "docs" / "access.md"
    table = access_table()
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    begin, end = "<!-- matrix:begin -->", "<!-- matrix:end -->"
    if os.environ.get("SKM_WRITE_ACCESS_DOC") == "1" and begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + begin + "\n" + table + "\n" + end + rest.split(end, 1)[1]
        doc.write_text(text, encoding="utf-8")
    assert f"{begin}\n{table}\n{end}" in text, (
        "docs/access.md is out of date: run SKM_WRITE_ACCESS_DOC=1 .venv/bin/python -m pytest "
        "tests/security/test_permission_matrix.py -k docs")
