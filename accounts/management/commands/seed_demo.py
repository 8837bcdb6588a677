"""Load demo data: departments and people now; ideas, training and
subscribers as those apps add a ``demo`` module with a ``seed()`` function.

Idempotent: running it twice changes nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Create demo departments, people in every role and each app's demo data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[str] = []
        # No transaction around the apps' seeds: they call the apps' services,
        # which are durable transactions of their own (STYLE.md) and may not
        # be nested. Each seed() is idempotent, so a failed run is simply rerun.
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            created.extend(module.seed())
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(created)} demo records."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, _name, _dept, _title, roles, _lang, superuser in PEOPLE:
            role_text = "admin" if superuser else ", ".join(["employee", *roles])
            self.stdout.write(f"  {email:40} {role_text}")
