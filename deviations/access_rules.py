"""How deviations plug into the shared core: access policy, history, handover.

Who sees a deviation:
* handlers: ``handle_deviations`` over the unit (not lex Sarah reports),
* lex Sarah handlers: ``handle_lex_sarah`` over the unit (lex Sarah reports only),
* (being the handler gives nothing by itself: a handler is always someone
  with the capability, and loses the case with it),
* the reporter, who follows their own report ("view" only, see views).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actions import sources
from deviations.models import OPEN_STATUSES, ClientIdentity, Deviation, DeviationSettings
from ledningssystem import access, history, readlog, services
from ledningssystem.access import AnyUser, Policy
from ledningssystem.views import home


class DeviationPolicy(Policy):
    def _handling(self, user: AnyUser) -> Q:
        condition = Q(pk__in=[])
        handle = access.path_condition(user, access.HANDLE_DEVIATIONS, "unit__path")
        if handle is not None:
            condition |= handle & Q(is_lex_sarah=False)
        lex = access.path_condition(user, access.HANDLE_LEX_SARAH, "unit__path")
        if lex is not None:
            condition |= lex & Q(is_lex_sarah=True)
        return condition

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not user.is_authenticated:
            return qs.none()
        condition = self._handling(user)
        if action == "view":
            condition |= Q(reported_by_id=user.pk)
        return qs.filter(condition)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not user.is_authenticated:
            return False
        if action == "view" and obj.reported_by_id == user.pk:
            return True
        capability = access.HANDLE_LEX_SARAH if obj.is_lex_sarah else access.HANDLE_DEVIATIONS
        return access.has_capability(user, capability, obj.unit)


def can_handle(user: AnyUser, deviation: Deviation) -> bool:
    return access.can(user, deviation, "handle")


def may_use_inbox(user: AnyUser) -> bool:
    """The inbox and its exports: for those who handle deviations or lex Sarah reports somewhere."""
    return access.has_capability(user, access.HANDLE_DEVIATIONS) or access.has_capability(user, access.HANDLE_LEX_SARAH)


access.register(Deviation, DeviationPolicy(path_lookup="unit__path", capabilities={}))
history.register_history("deviation", Deviation)
history.REASONS.update(
    {
        "deviation.reported": _("Reported"),
        "deviation.received": _("Received"),
        "deviation.investigation_started": _("Investigation started"),
        "deviation.closed": _("Closed"),
        "deviation.closed_without_action": _("Closed without action"),
        "deviation.reopened": _("Reopened"),
        "deviation.assigned": _("Handler assigned"),
        "deviation.handed_over": _("Handed over to successor"),
        "deviation.investigation_recorded": _("Investigation recorded"),
        "deviation.cause_added": _("Cause identified"),
        "deviation.cause_removed": _("Cause removed"),
        "deviation.actions_started": _("Actions started"),
        "deviation.follow_up_started": _("Follow-up started"),
        "deviation.protective_measures": _("Protective measures recorded"),
        "deviation.entry_added": _("Investigation entry added"),
        "deviation.assessed": _("Assessed"),
        "deviation.ivo_notified": _("IVO notification recorded"),
        "deviation.learning_recorded": _("Learning recorded"),
        "deviation.settings_changed": _("Deviation settings changed"),
    }
)
history.register_history("deviation-settings", DeviationSettings)


def _source_changed(deviation: Deviation, by: Any) -> None:
    from deviations import services as deviation_services

    deviation_services.touch(deviation)


def _validate_new_action(deviation: Deviation, causes: Any) -> None:
    from deviations import services as deviation_services

    deviation_services.validate_new_action(deviation, causes)


sources.register_source(
    sources.SourceKind(
        model=Deviation,
        label=lambda d: str(_("Deviation %(reference)s") % {"reference": d.reference}),
        url=lambda d: reverse("deviations:detail", args=[d.pk]),
        is_restricted=lambda d: d.is_lex_sarah,
        validate_new=_validate_new_action,
        changed=_source_changed,
    )
)


def _count_open(person: Any) -> int:
    return Deviation.objects.filter(handler=person, status__in=OPEN_STATUSES).count()


def _hand_over(person: Any, successor: Any, by: Any) -> int:
    """Give the successor the open deviations they may handle; the others go
    back to their unit's inbox without a handler (never to someone who may
    not see them)."""
    moved = 0
    for deviation in Deviation.objects.filter(handler=person, status__in=OPEN_STATUSES).select_related("unit"):
        capability = access.HANDLE_LEX_SARAH if deviation.is_lex_sarah else access.HANDLE_DEVIATIONS
        deviation.handler = successor if access.has_capability(successor, capability, deviation.unit) else None
        deviation.version += 1
        history.save_tracked(deviation, by=by, reason="deviation.handed_over")
        moved += 1
    return moved


services.register_handover(
    services.HandoverProvider(label=lambda: str(_("Deviations to handle")), count=_count_open, transfer=_hand_over)
)


home.register_report_kind(
    home.ReportKind(
        capability=access.REPORT_DEVIATIONS,
        url_name="deviations:report",
        label=lambda: str(_("Deviation")),
        description=lambda: str(_("Something went wrong or could have gone wrong, including lex Sarah.")),
    )
)


def with_sensitivity(qs: models.QuerySet[Deviation]) -> models.QuerySet[Deviation]:
    """``qs`` annotated with what the read log needs to decide, in the same query."""
    return qs.annotate(
        has_client_identity=models.Exists(ClientIdentity.objects.filter(deviation=models.OuterRef("pk")))
    )


def is_sensitive(deviation: Deviation) -> bool:
    """Lex Sarah reports and deviations with a client identity: every read is logged."""
    if deviation.is_lex_sarah:
        return True
    annotated = getattr(deviation, "has_client_identity", None)
    if annotated is not None:
        return bool(annotated)
    return ClientIdentity.objects.filter(deviation_id=deviation.pk).exists()


readlog.register(
    "deviation",
    Deviation,
    is_sensitive=is_sensitive,
    # Those who may handle the case see who read it; the reporter does not.
    may_view_log=can_handle,
    queryset=lambda: with_sensitivity(Deviation.objects.select_related("unit")),
)
