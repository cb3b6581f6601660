"""Comparing two versions of a document as text.

Both bodies are sanitised, turned into lines (paragraphs, list items,
headings, table rows) and compared line by line with ``difflib``; a changed
line is compared again word by word, so a small edit shows as a few words
inserted or deleted rather than a whole paragraph replaced. The template
marks each piece with ``<ins>``/``<del>`` and says it in words too.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from processes.richtext import sanitise, to_lines


@dataclass
class Piece:
    kind: str  # "equal", "insert" or "delete"
    text: str
    # Shown after a deletion it replaces: a space keeps the two words apart on screen.
    follows_deletion: bool = False


@dataclass
class Line:
    kind: str  # "equal", "insert", "delete" or "change"
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Comparison:
    lines: list[Line]
    inserted: int
    deleted: int

    @property
    def has_changes(self) -> bool:
        return bool(self.inserted or self.deleted)


# Words, single punctuation marks and the spaces between them, so "rapporteras." → "rapporteras genast."
# shows " genast" inserted rather than a whole word replaced.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def _words(a: str, b: str) -> list[Piece]:
    old, new = _TOKENS.findall(a), _TOKENS.findall(b)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", "".join(old[i1:i2])))
            continue
        if tag in {"delete", "replace"}:
            pieces.append(Piece("delete", "".join(old[i1:i2])))
        if tag in {"insert", "replace"}:
            pieces.append(Piece("insert", "".join(new[j1:j2]), follows_deletion=tag == "replace"))
    return pieces


def compare_texts(title_a: str, body_a: str, title_b: str, body_b: str) -> Comparison:
    """Lines of ``b`` against ``a`` (the title first), with counts of inserted and deleted pieces."""
    old = [title_a, *to_lines(sanitise(body_a))]
    new = [title_b, *to_lines(sanitise(body_b))]
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(Line("equal", [Piece("equal", text)]) for text in old[i1:i2])
        elif tag == "delete":
            lines.extend(Line("delete", [Piece("delete", text)]) for text in old[i1:i2])
        elif tag == "insert":
            lines.extend(Line("insert", [Piece("insert", text)]) for text in new[j1:j2])
        else:
            pairs = min(i2 - i1, j2 - j1)
            lines.extend(Line("change", _words(old[i1 + k], new[j1 + k])) for k in range(pairs))
            lines.extend(Line("delete", [Piece("delete", text)]) for text in old[i1 + pairs : i2])
            lines.extend(Line("insert", [Piece("insert", text)]) for text in new[j1 + pairs : j2])
    inserted = sum(1 for line in lines for p in line.pieces if p.kind == "insert")
    deleted = sum(1 for line in lines for p in line.pieces if p.kind == "delete")
    return Comparison(lines, inserted, deleted)
