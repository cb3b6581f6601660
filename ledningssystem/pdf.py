"""PDF rendering with WeasyPrint, shared by every document the product produces.

Documents are rendered from Django templates. Nothing is fetched from the
network: the URL fetcher only serves the fonts bundled in ``static/fonts``
(so the output is the same on every machine, offline), and refuses the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


class FetchRefusedError(ValueError):
    pass


def url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Serve bundled fonts only; anything else (http, other files) is refused."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).resolve()
        if path.parent == FONT_DIR.resolve() and path.suffix == ".ttf":
            return default_url_fetcher(url, *args, **kwargs)
    raise FetchRefusedError(f"refused to fetch {url[:80]}")


def render_pdf(template: str, context: dict[str, Any], *, variant: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_dir": FONT_DIR.resolve().as_uri()})
    document = HTML(string=html, base_url=str(FONT_DIR), url_fetcher=url_fetcher)
    options: dict[str, Any] = {}
    if variant:
        options["pdf_variant"] = variant
    return document.write_pdf(**options)
