"""factory_boy factories. Units and assignments go through the services so
tests see the same guardian rows and history as the application."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from ledningssystem import services
from ledningssystem.models import Role, RoleAssignment, Unit, User
from ledningssystem.models.organisation import UnitKind


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda p: f"{p.username}@example.se")
    password = factory.PostGenerationMethodCall("set_password", "demo-password-123")

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def make_unit(name: str, kind: str = UnitKind.UNIT, parent: Unit | None = None) -> Unit:
    if parent is not None:
        parent = Unit.objects.get(pk=parent.pk)  # fresh numchild/path
    return services.unit_create(parent=parent, name=name, kind=kind, by=None)


def assign(
    person: User, role_slug: str, unit: Unit, start: datetime.date | None = None, end: datetime.date | None = None
) -> RoleAssignment:
    return services.assignment_create(
        person=person,
        role=Role.objects.get(slug=role_slug),
        unit=unit,
        start_date=start or timezone.localdate() - datetime.timedelta(days=30),
        end_date=end,
        by=None,
    )
