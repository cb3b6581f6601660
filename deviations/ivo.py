"""'Underlag för anmälan till IVO': the facts IVO's lex Sarah form asks for and
the investigation so far, as a PDF to attach in IVO's e-service.

The client's identity is left out: it is given to IVO in the e-service itself.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from actions.models import Action
from deviations import legal
from deviations.models import Deviation, RequiredContent
from ledningssystem import pdf


def context_for(deviation: Deviation, by: Any) -> dict[str, Any]:
    entries = list(deviation.entries.select_related("author"))
    by_topic = [
        (label, [entry for entry in entries if entry.topic == value]) for value, label in RequiredContent.choices
    ]
    on = timezone.localdate(deviation.occurred_at)
    top = deviation.unit.get_root() if deviation.unit.depth > 1 else deviation.unit
    return {
        "deviation": deviation,
        "organisation": top,
        "unit_path": " › ".join(u.name for u in [*deviation.unit.get_ancestors(), deviation.unit]),
        "by_topic": by_topic,
        "causes": list(deviation.causes.select_related("category")),
        "actions": list(Action.objects.for_source(deviation).select_related("owner").order_by("pk")),
        "references": legal.references_on(on, ["report-duty", "investigate", "notify-ivo", "documentation"]),
        "generated_at": timezone.localtime(),
        "generated_by": by,
    }


def render(deviation: Deviation, by: Any) -> bytes:
    return pdf.render_pdf("deviations/ivo.html", context_for(deviation, by))
