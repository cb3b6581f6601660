"""Import a handbook file: manage.py import_handbook file.yaml|file.xlsx --by <username> [--unit CODE] [--dry-run]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ledningssystem.models import Unit, User
from ledningssystem.services import DomainError
from processes.transfer import services
from processes.transfer.reading import MAX_FILE_BYTES, HandbookError, read_file

STATE_WORDS = {services.ADDED: "+", services.CHANGED: "~"}


def print_plan(out: Any, plan: services.HandbookPlan) -> None:
    for section in plan.sections:
        for entry in section.entries:
            if entry.state == services.UNCHANGED:
                continue
            out.write(f"  {STATE_WORDS[entry.state]} {section.name}: {entry.key or '(ny)'}  {entry.title}")
            for change in entry.changes:
                out.write(f"      {change.label}: {change.old_display} → {change.new_display}")
    counts = plan.counts()
    out.write(f"{counts['added']} tillagda, {counts['changed']} ändrade, {counts['unchanged']} oförändrade.")


class Command(BaseCommand):
    help = "Import a handbook (focus areas, role responsibilities, routines) from YAML or the Excel template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Handbook file (.yaml or .xlsx).")
        parser.add_argument("--by", required=True, help="User name of the person the import is made as.")
        parser.add_argument("--unit", help="Unit code or name, when the file does not name one.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        with translation.override("sv"):
            try:
                by = User.objects.get(username=options["by"], is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"Ingen aktiv användare heter {options['by']}.") from None
            unit = None
            if options["unit"]:
                unit = (
                    Unit.objects.filter(code=options["unit"]).first()
                    or Unit.objects.filter(name=options["unit"]).first()
                )
                if unit is None:
                    raise CommandError(f"Okänd enhet {options['unit']}.")
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise CommandError(f"{path}: filen är större än {MAX_FILE_BYTES // 1024 // 1024} MB.")
                raw, _format = read_file(path.read_bytes(), path.name)
                if options["dry_run"]:
                    plan = services.handbook_plan(raw, by=by, unit=unit)
                else:
                    plan = services.handbook_apply(raw=raw, by=by, unit=unit)
            except OSError as exc:
                raise CommandError(f"{path}: {exc}") from None
            except HandbookError as exc:
                raise CommandError(
                    f"{path}: filen kan inte importeras, inget har ändrats.\n"
                    + "\n".join(f"  {p}" for p in exc.problems)
                ) from None
            except DomainError as exc:
                raise CommandError(f"{path}: {exc.message}") from None
            self.stdout.write(
                f"{path.name} → {plan.unit.name}{' (provkörning, inget ändrat)' if options['dry_run'] else ''}"
            )
            print_plan(self.stdout, plan)
