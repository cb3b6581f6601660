"""Writes of the reports app: the handbook's texts.

Producing a handbook PDF and keeping it is ``reports.handbook.handbook_rendition_create``,
called by the background job.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ledningssystem.history import save_tracked
from ledningssystem.models import Unit, User
from ledningssystem.services import ConflictError, DomainError
from reports.models import HandbookText, HandbookTextKey

MAX_TEXT_LENGTH = 20_000


@transaction.atomic
def handbook_text_save(*, unit: Unit, key: str, text: str, version: int | None, by: User) -> HandbookText:
    """Write the unit's own text for ``key`` (history reason ``handbook.text_saved``).

    ``version`` is the version the person saw, None when the unit had no
    text of its own. Raises ConflictError when someone saved in between and
    DomainError for an unknown key or a text that is too long. The caller
    has checked that ``by`` may change the unit's texts.
    """
    if key not in HandbookTextKey.values:
        raise DomainError(_("Unknown text."))
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError(_("The text is too long."), "text")
    current = HandbookText.objects.select_for_update().filter(unit=unit, key=key).first()
    stale = _("Someone else changed the text after you opened it. Reload the page and make your change again.")
    if current is None:
        if version is not None:
            raise ConflictError(stale)
        current = HandbookText(unit=unit, key=key, text=text, updated_by=by)
        try:
            with transaction.atomic():
                save_tracked(current, by=by, reason="handbook.text_saved")
        except IntegrityError:
            raise ConflictError(stale) from None
        return current
    if version != current.version:
        raise ConflictError(stale)
    current.text = text
    current.updated_by = by
    current.version += 1
    save_tracked(current, by=by, reason="handbook.text_saved")
    return current
