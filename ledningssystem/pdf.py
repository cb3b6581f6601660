"""PDF rendering with WeasyPrint, shared by every document the product produces.

Documents are rendered from Django templates. Nothing is fetched from the
network: the URL fetcher only serves the fonts bundled in ``static/fonts``
(so the output is the same on every machine, offline), and refuses the rest.
"""

from __future__ import annotations

from collections.abc import Callable
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


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    variant: str | None = None,
    tags: bool = False,
    on_laid_out: Callable[[int], None] | None = None,
) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes.

    ``variant`` is a WeasyPrint ``pdf_variant`` (e.g. "pdf/a-2u"), ``tags``
    asks for a tagged (structured, accessible) PDF. Layout and writing are
    separate steps so that long documents can report progress:
    ``on_laid_out(page_count)`` is called between them.
    """
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_dir": FONT_DIR.resolve().as_uri()})
    document = HTML(string=html, base_url=str(FONT_DIR), url_fetcher=url_fetcher)
    options: dict[str, Any] = {}
    if variant:
        options["pdf_variant"] = variant
    if tags:
        options["pdf_tags"] = True
    rendered = document.render(**options)
    if on_laid_out is not None:
        on_laid_out(len(rendered.pages))
    return rendered.write_pdf(**options)
