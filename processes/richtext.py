"""Rich text of controlled documents: one whitelist, applied on save and again on output.

The editor (static/js/richtext.js) writes HTML into a textarea; anything can
arrive there, so ``sanitise`` keeps only plain structure (paragraphs,
emphasis, lists, headings, links, simple tables, quotations) and drops the
rest, including scripts, event handlers, styles and links that are not
http, https or mailto. Output goes through the same function (the
``richtext`` filter), so a row written some other way is still safe.

``to_lines`` turns sanitised HTML into plain lines of text for comparing
versions.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
LINK_SCHEMES = ("http://", "https://", "mailto:")
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|<br>)*</p>")

# Editors produce <b>/<i> and <div> in some browsers: kept as their semantic twins.
_RENAMES = [
    (re.compile(r"<b(\s[^>]*)?>", re.I), "<strong>"),
    (re.compile(r"</b\s*>", re.I), "</strong>"),
    (re.compile(r"<i(\s[^>]*)?>", re.I), "<em>"),
    (re.compile(r"</i\s*>", re.I), "</em>"),
    (re.compile(r"<div(\s[^>]*)?>", re.I), "<p>"),
    (re.compile(r"</div\s*>", re.I), "</p>"),
]


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        # Absolute links with a known scheme only: no javascript:, data: or relative paths.
        return value if value.strip().lower().startswith(LINK_SCHEMES) else None
    if attribute == "scope":
        return value if value in {"row", "col", "rowgroup", "colgroup"} else None
    if attribute in {"colspan", "rowspan"}:
        return value if value.isdigit() and 0 < int(value) <= 50 else None
    return value


def sanitise(html: str) -> str:
    """``html`` with only the whitelisted tags and attributes left."""
    if not html:
        return ""
    for pattern, replacement in _RENAMES:
        html = pattern.sub(replacement, html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Editors leave empty paragraphs behind (an Enter too many); they carry nothing.
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def is_blank(html: str) -> bool:
    return not "".join(to_lines(html)).strip()


_BLOCKS = {"p", "li", "h2", "h3", "h4", "tr", "blockquote", "caption", "ul", "ol", "table", "br"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
        elif tag in {"td", "th"}:
            self.current.append(" | " if self.current else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def to_lines(html: str) -> list[str]:
    """The text of sanitised ``html``, one line per paragraph, list item, heading or table row."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.lines
