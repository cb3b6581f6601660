from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Language(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


class PersonQuerySet(models.QuerySet["User"]):
    def search(self, text: str) -> PersonQuerySet:
        qs = self
        for word in text.split()[:5]:
            qs = qs.filter(
                models.Q(username__icontains=word)
                | models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(title__icontains=word)
            )
        return qs


class PersonManager(UserManager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who uses the system (medarbetare, chef, nämndledamot …)."""

    title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.SWEDISH)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    # Date on which group memberships were last aligned with assignments
    # (assignments start and end on dates; see access.sync_person_access).
    access_synced_on = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "access_synced_on"],
        verbose_name=_("historical person"),
    )

    objects = PersonManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)
