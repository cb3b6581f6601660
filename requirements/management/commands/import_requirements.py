"""Import a framework file from the command line: manage.py import_requirements file.yaml [--dry-run]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from requirements import services
from requirements.defaults import ensure_default_areas
from requirements.loader import CatalogueError, decode_file, parse_catalogue

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "data"


def print_diff(out: Any, diff: services.CatalogueDiff, verbosity: int = 2) -> None:
    """Every change at verbosity 2 (the default for a single file), the totals at 1."""
    out.write(f"{diff.code}: " + ("ny" if diff.is_new_framework else "finns"))
    if verbosity < 2:
        out.write(
            f"{len(diff.added)} tillagda, {len(diff.changed)} ändrade, {len(diff.removed)} inaktiverade, "
            f"{diff.unchanged} oförändrade."
        )
        return
    for change in diff.framework_changes:
        out.write(f"  ~ {change.label}: {change.old_display} → {change.new_display}")
    for r in diff.added:
        out.write(f"  + {r.identifier}  {r.reference} – {r.title}")
    for item in diff.changed:
        out.write(f"  ~ {item.identifier}  {item.reference} – {item.title}")
        for change in item.changes:
            out.write(f"      {change.label}: {change.old_display} → {change.new_display}")
    for r in diff.removed:
        out.write(f"  - {r.identifier}  {r.reference} – {r.title}")
    out.write(
        f"{len(diff.added)} tillagda, {len(diff.changed)} ändrade, {len(diff.removed)} inaktiverade, "
        f"{diff.unchanged} oförändrade."
    )


class Command(BaseCommand):
    help = "Import a requirement framework from a YAML file (see docs/requirements-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="Framework files (YAML).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument("--shipped", action="store_true", help="Import the frameworks shipped with the product.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        if options["shipped"]:
            paths += sorted(SHIPPED_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError("Name at least one file, or use --shipped.")
        ensure_default_areas()
        with translation.override("sv"):
            for path in paths:
                self._one(path, options["dry_run"], options["verbosity"] if options["shipped"] else 2)

    def _one(self, path: Path, dry_run: bool, verbosity: int) -> None:
        try:
            text = decode_file(path.read_bytes())
            parsed = parse_catalogue(text)
            if dry_run:
                diff = services.catalogue_diff(parsed)
            else:
                diff = services.catalogue_import(parsed=parsed, by=None, text=text)
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from None
        except CatalogueError as exc:
            raise CommandError(
                f"{path}: filen kan inte importeras, inget har ändrats.\n" + "\n".join(f"  {p}" for p in exc.problems)
            ) from None
        if verbosity == 0:
            return
        self.stdout.write(f"{path.name}{' (provkörning, inget ändrat)' if dry_run else ''}")
        print_diff(self.stdout, diff, verbosity)
