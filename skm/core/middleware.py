"""Bahasa Indonesia first: the language is the visitor's explicit choice, never the browser's.

Django's LocaleMiddleware would follow the Accept-Language header, so an Indonesian citizen
whose phone is set to English would meet an English survey form. Here only the language
switcher's cookie counts; everyone else gets LANGUAGE_CODE ("id").
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
