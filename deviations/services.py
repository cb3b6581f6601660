"""Writes for deviations: report, and one service per workflow transition.

Callers check access through ``ledningssystem.access`` first; these
functions check the rules of the workflow and record who acted and why.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action, ActionStatus
from deviations.models import (
    SERIOUS_ASSESSMENTS,
    Assessment,
    Attachment,
    Category,
    CauseCategory,
    ClientIdentity,
    Consequence,
    Deviation,
    DeviationSettings,
    EntryKind,
    IdentifiedCause,
    InvestigationEntry,
    ReferenceCounter,
    RequiredContent,
    Status,
)
from ledningssystem import access
from ledningssystem.history import save_tracked
from ledningssystem.models import Unit, User
from ledningssystem.services import ConflictError, DomainError
from notifications import events as notification_events

REFERENCE_PREFIX = "AVV"
# Clocks differ a little between phones and the server.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)


def reference_next(*, prefix: str, year: int) -> str:
    """The next reference of the year, e.g. AVV-2026-00042; never handed out twice.

    The counter row is locked for the rest of the transaction, so concurrent
    reports queue for a number instead of colliding.
    """
    ReferenceCounter.objects.bulk_create([ReferenceCounter(prefix=prefix, year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_value=F("last_value") + 1)
    counter.refresh_from_db(fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:05d}"


@transaction.atomic
def deviation_report(
    *,
    by: User,
    unit: Unit,
    occurred_at: datetime.datetime,
    description: str,
    immediate_measures: str,
    category: Category,
    consequence: str,
    client_affected: bool,
    is_lex_sarah: bool,
    client_identity: str = "",
    attachments: list[tuple[Any, str]] | None = None,
) -> Deviation:
    """Record a new report from ``by`` at ``unit`` and give it a reference.

    ``attachments`` are (uploaded file, checked content type) pairs from
    ``ledningssystem.uploads``.
    """
    if not access.has_capability(by, access.REPORT_DEVIATIONS, unit):
        raise DomainError(_("You cannot report for this unit."), "unit")
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise DomainError(_("The time it happened cannot be in the future."), "occurred_at")
    if not category.is_active:
        raise DomainError(_("Choose a category in use."), "category")
    if consequence not in Consequence.values:
        raise DomainError(_("Choose a consequence."), "consequence")
    now = timezone.now()
    deviation = Deviation(
        reference=reference_next(prefix=REFERENCE_PREFIX, year=timezone.localtime(now).year),
        unit=unit,
        reported_by=by,
        reported_at=now,
        occurred_at=occurred_at,
        description=description,
        immediate_measures=immediate_measures,
        category=category,
        consequence=consequence,
        client_affected=client_affected or bool(client_identity),
        is_lex_sarah=is_lex_sarah,
    )
    save_tracked(deviation, by=by, reason="deviation.reported")
    if client_identity:
        save_tracked(ClientIdentity(deviation=deviation, identity=client_identity), by=by, reason="deviation.reported")
    for upload, content_type in attachments or []:
        attachment = Attachment(
            deviation=deviation,
            name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save("upload", upload, save=False)
        save_tracked(attachment, by=by, reason="deviation.reported")
    notification_events.deviation_reported(deviation, by=by)
    return deviation


def _lock(deviation: Deviation, version: int | None) -> Deviation:
    """The current row, locked; refuses if someone changed it since ``version``."""
    current = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if version is not None and current.version != version:
        raise ConflictError(
            _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
        )
    return current


def _move(deviation: Deviation, to: str) -> None:
    if not deviation.can_move_to(to):
        raise DomainError(
            _("A deviation that is %(current)s cannot become %(next)s.")
            % {"current": deviation.get_status_display().lower(), "next": Status(to).label.lower()}
        )
    deviation.status = to
    deviation.version += 1


@transaction.atomic
def deviation_receive(*, deviation: Deviation, by: User, version: int | None) -> Deviation:
    """The manager has seen the report; they become its handler unless one is set."""
    deviation = _lock(deviation, version)
    _move(deviation, Status.RECEIVED)
    deviation.received_at = timezone.now()
    deviation.handler = deviation.handler or by
    save_tracked(deviation, by=by, reason="deviation.received")
    return deviation


@transaction.atomic
def deviation_start_investigation(*, deviation: Deviation, by: User, version: int | None) -> Deviation:
    deviation = _lock(deviation, version)
    if deviation.status == Status.REPORTED:
        raise DomainError(_("Receive the report before investigating it."))
    if deviation.status != Status.RECEIVED:
        raise DomainError(_("The investigation has already started, or the deviation is closed."))
    _move(deviation, Status.INVESTIGATING)
    deviation.handler = deviation.handler or by
    deviation.investigation_started_at = deviation.investigation_started_at or timezone.now()
    save_tracked(deviation, by=by, reason="deviation.investigation_started")
    return deviation


def _actions(deviation: Deviation) -> models.QuerySet[Action]:
    return Action.objects.for_source(deviation)


@transaction.atomic
def deviation_start_actions(*, deviation: Deviation, by: User, version: int | None) -> Deviation:
    """The investigation is done and actions are under way."""
    deviation = _lock(deviation, version)
    if (
        deviation.status == Status.INVESTIGATING
        and not _actions(deviation).exclude(status=ActionStatus.CANCELLED).exists()
    ):
        raise DomainError(_("Add at least one action first."))
    _move(deviation, Status.ACTING)
    save_tracked(deviation, by=by, reason="deviation.actions_started")
    return deviation


@transaction.atomic
def deviation_start_follow_up(*, deviation: Deviation, by: User, version: int | None) -> Deviation:
    """Every action is done or cancelled; now see whether they worked."""
    deviation = _lock(deviation, version)
    if _actions(deviation).open().exists():
        raise DomainError(_("Some actions are not done yet. Finish or cancel them first."))
    _move(deviation, Status.FOLLOW_UP)
    save_tracked(deviation, by=by, reason="deviation.follow_up_started")
    return deviation


def _check_can_close(deviation: Deviation) -> None:
    if deviation.is_lex_sarah and not deviation.assessment:
        raise DomainError(_("Record the assessment of the lex Sarah report before closing it."), "conclusion")
    if deviation.is_lex_sarah and deviation.is_serious and not deviation.ivo_notified_on:
        raise DomainError(_("A serious missförhållande is notified to IVO before the case is closed."), "conclusion")
    if not DeviationSettings.current().close_requires_finished_actions:
        return
    actions = _actions(deviation)
    if actions.open().exists():
        raise DomainError(_("Some actions are still open. Finish or cancel them before closing."), "conclusion")
    if actions.effect_pending().exists():
        raise DomainError(
            _("Record the effect of every finished action before closing."),
            "conclusion",
        )


@transaction.atomic
def deviation_close(*, deviation: Deviation, by: User, version: int | None, conclusion: str) -> Deviation:
    """Close with a conclusion: what was found and what was done."""
    if not conclusion.strip():
        raise DomainError(_("Write what was found and done before closing."), "conclusion")
    deviation = _lock(deviation, version)
    _move(deviation, Status.CLOSED)
    _check_can_close(deviation)
    deviation.conclusion = conclusion
    deviation.closed_at = timezone.now()
    save_tracked(deviation, by=by, reason="deviation.closed")
    notification_events.deviation_closed(deviation, by=by)
    return deviation


@transaction.atomic
def deviation_close_without_action(*, deviation: Deviation, by: User, version: int | None, reason: str) -> Deviation:
    """Close when nothing needs doing; the reason is what the reporter reads."""
    if not reason.strip():
        raise DomainError(_("Give the reason no action is needed."), "conclusion")
    deviation = _lock(deviation, version)
    _move(deviation, Status.CLOSED_NO_ACTION)
    if _actions(deviation).exclude(status=ActionStatus.CANCELLED).exists():
        raise DomainError(_("The deviation has actions: close it with a conclusion instead."), "conclusion")
    if deviation.is_lex_sarah and not deviation.assessment:
        raise DomainError(_("Record the assessment of the lex Sarah report before closing it."), "conclusion")
    if deviation.is_lex_sarah and deviation.is_serious:
        raise DomainError(_("A serious missförhållande cannot be closed without action."), "conclusion")
    deviation.conclusion = reason
    deviation.closed_at = timezone.now()
    deviation.received_at = deviation.received_at or deviation.closed_at
    deviation.handler = deviation.handler or by
    save_tracked(deviation, by=by, reason="deviation.closed_without_action")
    notification_events.deviation_closed(deviation, by=by)
    return deviation


@transaction.atomic
def deviation_reopen(*, deviation: Deviation, by: User, version: int | None, reason: str) -> Deviation:
    if not reason.strip():
        raise DomainError(_("Say why the deviation is reopened."), "conclusion")
    deviation = _lock(deviation, version)
    if deviation.is_open:
        raise DomainError(_("Only a closed deviation can be reopened."))
    _move(deviation, Status.INVESTIGATING)
    deviation.closed_at = None
    deviation.conclusion = _("Reopened: %(reason)s\n\nEarlier conclusion: %(earlier)s") % {
        "reason": reason,
        "earlier": deviation.conclusion,
    }
    save_tracked(deviation, by=by, reason="deviation.reopened")
    return deviation


@transaction.atomic
def deviation_assign(*, deviation: Deviation, by: User, version: int | None, handler: User) -> Deviation:
    """Make ``handler`` responsible; they must be able to handle the deviation."""
    capability = access.HANDLE_LEX_SARAH if deviation.is_lex_sarah else access.HANDLE_DEVIATIONS
    if not handler.is_active or not access.has_capability(handler, capability, deviation.unit):
        raise DomainError(_("The person cannot handle deviations at this unit."), "handler")
    deviation = _lock(deviation, version)
    if not deviation.is_open:
        raise DomainError(_("A closed deviation gets no new handler; reopen it first."), "handler")
    deviation.handler = handler
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.assigned")
    notification_events.deviation_assigned(deviation, by=by)
    return deviation


INVESTIGATING_STATUSES = (Status.INVESTIGATING, Status.ACTING, Status.FOLLOW_UP)


def _ensure_investigating(deviation: Deviation) -> None:
    if deviation.status not in INVESTIGATING_STATUSES:
        raise DomainError(_("Start the investigation first; a closed deviation is reopened before it is changed."))


@transaction.atomic
def deviation_record_investigation(
    *,
    deviation: Deviation,
    by: User,
    version: int | None,
    method: str,
    findings: str,
    recurrence_risk: str,
    related: list[Deviation],
) -> Deviation:
    """Record how the deviation was investigated, what was found and the similar earlier cases.

    ``related`` must already be limited to deviations ``by`` may see.
    """
    deviation = _lock(deviation, version)
    _ensure_investigating(deviation)
    if any(r.pk == deviation.pk for r in related):
        raise DomainError(_("A deviation cannot be linked to itself."), "related")
    deviation.investigation_method = method
    deviation.findings = findings
    deviation.recurrence_risk = recurrence_risk
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.investigation_recorded")
    deviation.related.set(related)
    return deviation


@transaction.atomic
def cause_add(*, deviation: Deviation, by: User, category: CauseCategory, description: str) -> IdentifiedCause:
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    _ensure_investigating(deviation)
    if not description.strip():
        raise DomainError(_("Describe the cause."), "description")
    if not category.is_active:
        raise DomainError(_("Choose a kind of cause in use."), "category")
    cause = IdentifiedCause(deviation=deviation, category=category, description=description)
    save_tracked(cause, by=by, reason="deviation.cause_added")
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.cause_added")
    return cause


@transaction.atomic
def cause_remove(*, cause: IdentifiedCause, by: User) -> None:
    deviation = Deviation.objects.select_for_update().get(pk=cause.deviation_id)
    _ensure_investigating(deviation)
    cause._history_user = by  # type: ignore[attr-defined]
    cause._change_reason = "deviation.cause_removed"  # type: ignore[attr-defined]
    cause.delete()
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.cause_removed")


# Lex Sarah: protect the client, document, assess, notify IVO when serious.


def _ensure_lex_sarah_open(deviation: Deviation) -> None:
    if not deviation.is_lex_sarah:
        raise DomainError(_("This is not a lex Sarah report."))
    if not deviation.is_open:
        raise DomainError(_("The case is closed; reopen it before changing it."))


@transaction.atomic
def lex_record_protective_measures(*, deviation: Deviation, by: User, version: int | None, text: str) -> Deviation:
    """What was done at once to protect the client ("omedelbart")."""
    if not text.strip():
        raise DomainError(_("Describe what was done to protect the client."), "protective_measures")
    deviation = _lock(deviation, version)
    _ensure_lex_sarah_open(deviation)
    deviation.protective_measures = text
    deviation.protective_measures_at = deviation.protective_measures_at or timezone.now()
    deviation.handler = deviation.handler or by
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.protective_measures")
    return deviation


@transaction.atomic
def lex_add_entry(
    *,
    deviation: Deviation,
    by: User,
    documented_on: datetime.date,
    topic: str,
    kind: str,
    source: str,
    text: str,
    author_title: str,
) -> InvestigationEntry:
    """A dated entry of the investigation; entries are never edited afterwards."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    _ensure_lex_sarah_open(deviation)
    if deviation.status not in INVESTIGATING_STATUSES:
        raise DomainError(_("Start the investigation first."))
    if topic not in RequiredContent.values:
        raise DomainError(_("Choose what the entry shows."), "topic")
    if kind not in EntryKind.values:
        raise DomainError(_("Say whether the entry is a fact or an assessment."), "kind")
    if documented_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), "documented_on")
    if documented_on < timezone.localdate(deviation.reported_at) - datetime.timedelta(days=366):
        raise DomainError(_("The date is more than a year before the report. Check the year."), "documented_on")
    for value, field in ((source, "source"), (text, "text"), (author_title, "author_title")):
        if not value.strip():
            raise DomainError(_("This field is required."), field)
    entry = InvestigationEntry(
        deviation=deviation,
        documented_on=documented_on,
        topic=topic,
        kind=kind,
        source=source.strip(),
        text=text,
        author=by,
        author_title=author_title.strip(),
    )
    save_tracked(entry, by=by, reason="deviation.entry_added")
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.entry_added")
    return entry


@transaction.atomic
def lex_assess(*, deviation: Deviation, by: User, version: int | None, assessment: str, reason: str) -> Deviation:
    """How serious it is. The assessment may come at receipt, during the investigation or at the end."""
    if assessment not in Assessment.values:
        raise DomainError(_("Choose an assessment."), "assessment")
    if not reason.strip():
        raise DomainError(_("Give the grounds for the assessment."), "assessment_reason")
    deviation = _lock(deviation, version)
    _ensure_lex_sarah_open(deviation)
    if deviation.ivo_notified_on and assessment not in SERIOUS_ASSESSMENTS:
        raise DomainError(_("IVO has already been notified; the case stays assessed as serious."), "assessment")
    deviation.assessment = assessment
    deviation.assessment_reason = reason
    deviation.assessed_at = timezone.now()
    deviation.assessed_by = by
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.assessed")
    return deviation


@transaction.atomic
def lex_record_ivo_notification(
    *,
    deviation: Deviation,
    by: User,
    version: int | None,
    notified_on: datetime.date,
    reference: str,
    decided_by: User,
) -> Deviation:
    """IVO was notified (through its e-service or by post): when, its reference, who decided."""
    deviation = _lock(deviation, version)
    _ensure_lex_sarah_open(deviation)
    if not deviation.is_serious:
        raise DomainError(
            _("Only a case assessed as serious is notified to IVO. Record that assessment first."), "notified_on"
        )
    if notified_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), "notified_on")
    if notified_on < timezone.localdate(deviation.reported_at):
        raise DomainError(_("IVO cannot have been notified before the report was made."), "notified_on")
    if not decided_by.is_active or not access.has_capability(decided_by, access.HANDLE_LEX_SARAH, deviation.unit):
        raise DomainError(_("Choose someone who handles lex Sarah reports for this unit."), "decided_by")
    deviation.ivo_notified_on = notified_on
    deviation.ivo_reference = reference.strip()
    deviation.ivo_decided_by = decided_by
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.ivo_notified")
    return deviation


@transaction.atomic
def deviation_record_learning(*, deviation: Deviation, by: User, version: int | None, text: str) -> Deviation:
    """What the organisation learns from the case; may be written after closing too."""
    if not text.strip():
        raise DomainError(_("Write what the organisation learns."), "learning")
    deviation = _lock(deviation, version)
    if deviation.status in (Status.REPORTED, Status.RECEIVED):
        raise DomainError(_("Start the investigation first."), "learning")
    deviation.learning = text
    deviation.version += 1
    save_tracked(deviation, by=by, reason="deviation.learning_recorded")
    return deviation


def touch(deviation: Deviation) -> None:
    """One of its actions changed: bump the version so forms open on the deviation notice."""
    Deviation.objects.filter(pk=deviation.pk).update(version=F("version") + 1)


def validate_new_action(deviation: Deviation, causes: Any) -> None:
    if deviation.status not in INVESTIGATING_STATUSES:
        raise DomainError(_("Actions are added while the deviation is investigated or acted on."))
    if not causes:
        raise DomainError(_("Choose the cause or causes the action addresses."), "causes")
    if any(cause.deviation_id != deviation.pk for cause in causes):
        raise DomainError(_("Choose causes of this deviation."), "causes")


SETTINGS_FIELDS = (
    "close_requires_finished_actions",
    "receive_within_days",
    "investigation_start_days",
    "ivo_notification_days",
    "action_due_soon_days",
)


@transaction.atomic
def settings_update(*, by: User, version: int | None, values: dict[str, Any]) -> DeviationSettings:
    DeviationSettings.current()
    current = DeviationSettings.objects.select_for_update().get(pk=1)
    if version is not None and current.version != version:
        raise ConflictError(
            _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
        )
    for name in SETTINGS_FIELDS:
        setattr(current, name, values[name])
    current.version += 1
    current.full_clean()
    save_tracked(current, by=by, reason="deviation.settings_changed")
    return current
