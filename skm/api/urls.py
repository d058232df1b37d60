"""``/api/v1/``: the API's routes, and JSON for everything else under it.

django-ninja answers an unknown method with Django's empty 405, and Django answers an unknown
path with its HTML 404; under /api/v1/ both become the API's JSON error shape (errors.py).
"""

import json
from functools import wraps

from django.http import HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from .api import api
from .errors import body


def _json(status: int, detail: str, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(body(detail)), status=status,
                            content_type="application/json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


def _json_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"):
            return _json(405, _("Metode %(method)s tidak didukung di sini.")
                         % {"method": request.method}, Allow=response.get("Allow", ""))
        return response

    return wrapper


def not_found(request, rest=""):
    return _json(404, _("Tidak ditemukan."))


_patterns, _app, _namespace = api.urls  # not named app_name: include() would read that
for _pattern in _patterns:
    _pattern.callback = _json_errors(_pattern.callback)

urlpatterns = [
    path("", (_patterns, _app, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
