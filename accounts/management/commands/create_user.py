"""Create a company account from the command line (self sign-up is off)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a person who signs in with e-mail and password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--department", help="Department slug (created if missing, with --create-department)")
        parser.add_argument("--create-department", action="store_true")
        parser.add_argument("--job-title", default="")
        parser.add_argument(
            "--role", action="append", default=[], choices=[r.value for r in Role], help="Repeat for several roles"
        )
        parser.add_argument("--admin", action="store_true", help="Superuser with access to the admin site")
        parser.add_argument("--password", help="Omit to be prompted (or to read IDEAPORTAL_PASSWORD)")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account for {email} exists already.")
        department = None
        if options["department"]:
            slug = options["department"]
            department = Department.objects.filter(slug=slug).first()
            if department is None:
                if not options["create_department"]:
                    raise CommandError(f"No department with slug {slug!r}; add --create-department to create it.")
                department = Department.objects.create(slug=slug, name=slug.replace("-", " ").title())
        password = options["password"] or os.environ.get("IDEAPORTAL_PASSWORD")
        if password is None:
            password = getpass.getpass("Password: ")
        candidate = User(email=email, display_name=options["name"])
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = user_create(
            email=email,
            display_name=options["name"],
            password=password,
            department=department,
            job_title=options["job_title"],
            roles=options["role"],
            is_staff=options["admin"],
            is_superuser=options["admin"],
        )
        self.stdout.write(self.style.SUCCESS(f"Created {user}."))
