"""Export a unit's handbook: manage.py export_handbook <unit code or name> --format yaml|xlsx -o file [--by user]."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ledningssystem.models import Unit, User
from ledningssystem.services import DomainError
from processes.transfer import services


class Command(BaseCommand):
    help = "Export the focus areas, role responsibilities and routines of a unit as YAML or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit", help="Unit code or name.")
        parser.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        parser.add_argument("-o", "--output", help="File to write; YAML goes to standard output without it.")
        parser.add_argument("--by", help="Export only what this user may see (default: everything).")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["unit"]
        units = list(Unit.objects.filter(code=ref)) or list(Unit.objects.filter(name=ref))
        if len(units) != 1:
            raise CommandError(f"Okänd eller tvetydig enhet {ref}; ange enhetens kod.")
        user = None
        if options["by"]:
            user = User.objects.filter(username=options["by"], is_active=True).first()
            if user is None:
                raise CommandError(f"Ingen aktiv användare heter {options['by']}.")
        with translation.override("sv"):
            try:
                content, _name, _type = services.export_bytes(units[0], options["format"], user=user)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "yaml":
            sys.stdout.write(content.decode("utf-8"))
        else:
            raise CommandError("Ange -o fil.xlsx för Excel.")
