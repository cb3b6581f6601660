"""First start of a real installation: the top committee and its administrator.

    manage.py bootstrap --committee "Socialnämnden" --username admin

The password is read from BOOTSTRAP_PASSWORD or asked for. Refuses to run
when the organisation already has units, so it cannot be misused later.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ledningssystem import services
from ledningssystem.builtin_roles import ensure_builtin_roles
from ledningssystem.models import Role, Unit, User
from ledningssystem.models.organisation import UnitKind


class Command(BaseCommand):
    help = "Create the top committee and the first administrator of a new installation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--committee", required=True, help="Name of the top unit, e.g. Socialnämnden")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: object, **options: str) -> None:
        if Unit.objects.exists():
            raise CommandError("The organisation already has units; manage it in the app instead.")
        if User.objects.filter(username__iexact=options["username"]).exists():
            raise CommandError("That user name is taken.")
        password = os.environ.get("BOOTSTRAP_PASSWORD") or getpass.getpass("Password: ")
        probe = User(username=options["username"], email=options["email"])
        try:
            password_validation.validate_password(password, probe)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        ensure_builtin_roles()
        with transaction.atomic():
            top = services.unit_create(parent=None, name=options["committee"], kind=UnitKind.COMMITTEE, by=None)
            admin = services.person_create(
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                title="",
                phone="",
                language="sv",
                password=password,
                role=Role.objects.get(slug="administrator"),
                unit=top,
                start_date=timezone.localdate(),
                by=None,
            )
            User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {top.name} and the administrator {admin.username}. Log in and build the organisation."
            )
        )
