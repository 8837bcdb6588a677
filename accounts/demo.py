"""Demo departments and people for ``manage.py seed_demo``.

Every demo account signs in with DEMO_PASSWORD (documented in the README).
"""

from __future__ import annotations

from accounts.models import Department, User
from accounts.services import user_create

DEMO_PASSWORD = "ideaportal-demo"

DEPARTMENTS = [
    ("Member Experience", "member-experience"),
    ("Claims", "claims"),
    ("Bank Operations", "bank-operations"),
    ("Technology", "technology"),
    ("Innovation Office", "innovation-office"),
    ("Human Resources", "human-resources"),
    ("Communications", "communications"),
]

# email, display name, department slug, job title, roles, language, superuser
PEOPLE = [
    ("admin@ideaportal.example", "Avery Admin", "technology", "Portal administrator", [], "en", True),
    (
        "maria.gonzalez@ideaportal.example",
        "María González",
        "member-experience",
        "Member service representative",
        [],
        "en",
        False,
    ),
    (
        "james.carter@ideaportal.example",
        "James Carter",
        "claims",
        "Claims adjuster, U.S. Army veteran",
        [],
        "en",
        False,
    ),
    (
        "priya.natarajan@ideaportal.example",
        "Priya Natarajan",
        "innovation-office",
        "Innovation reviewer",
        ["reviewer"],
        "en",
        False,
    ),
    (
        "marcus.lee@ideaportal.example",
        "Marcus Lee",
        "innovation-office",
        "Patent counsel liaison",
        ["reviewer"],
        "en",
        False,
    ),
    (
        "dana.whitfield@ideaportal.example",
        "Dana Whitfield",
        "human-resources",
        "Learning and development lead",
        ["hr"],
        "en",
        False,
    ),
    (
        "sam.okafor@ideaportal.example",
        "Sam Okafor",
        "communications",
        "Internal communications editor",
        ["editor"],
        "en",
        False,
    ),
    ("batbayar.dorj@ideaportal.example", "Батбаяр Дорж", "bank-operations", "Payments analyst", [], "mn", False),
    ("somchai.wong@ideaportal.example", "สมชาย วงศ์สวัสดิ์", "technology", "Mobile developer", [], "th", False),
    (
        "aoife.byrne@ideaportal.example",
        "Aoife Byrne",
        "member-experience",
        "Team lead, member contact centre",
        [],
        "ga",
        False,
    ),
    ("nino.beridze@ideaportal.example", "ნინო ბერიძე", "claims", "Accessibility specialist", [], "ka", False),
    ("liga.ozola@ideaportal.example", "Līga Ozola", "bank-operations", "Fraud prevention analyst", [], "lv", False),
]


def seed() -> list[str]:
    """Create what is missing; leave what exists untouched. Returns a log."""
    log: list[str] = []
    departments = {}
    for name, slug in DEPARTMENTS:
        department, created = Department.objects.get_or_create(slug=slug, defaults={"name": name})
        departments[slug] = department
        if created:
            log.append(f"department {name}")
    for email, name, dept, title, roles, language, superuser in PEOPLE:
        if User.objects.filter(email__iexact=email).exists():
            continue
        user_create(
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            department=departments[dept],
            job_title=title,
            roles=roles,
            is_staff=superuser,
            is_superuser=superuser,
            preferred_language=language,
        )
        log.append(f"person {email}")
    return log
