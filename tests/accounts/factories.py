from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import Department, User

PASSWORD = "correct-horse-battery-staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Member service representative"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if not create:
            return
        names = {"employee", *(extracted or [])}
        self.groups.add(  # type: ignore[attr-defined]
            *Group.objects.filter(name__in=names)
        )
