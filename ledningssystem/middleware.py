from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PersonLanguageMiddleware:
    """Swedish unless the person chose otherwise, whatever the browser says.

    A logged-in person's choice is stored on them; a visitor's choice (on the
    login page) in a cookie. The browser's Accept-Language is ignored: the
    product's language is Swedish by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in _SUPPORTED:
            language = user.language
        else:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = cookie if cookie in _SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
