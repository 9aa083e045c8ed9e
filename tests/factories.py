"""Test data builders. They write with the scope disabled: a builder is not a tenant's query."""

import itertools

import factory
from django_scopes import scope, scopes_disabled

from core import permissions
from core.models import Membership, Organization, Role, User
from core.services import firms as firm_service
from core.tenancy import Ctx, member_context

PASSWORD = "Passw0rd!123"
_numbers = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.LazyFunction(lambda: f"person{next(_numbers)}@example.ca")
    first_name = "Pat"
    last_name = factory.LazyFunction(lambda: f"Person{next(_numbers)}")
    password = factory.django.Password(PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


def firm_create(name: str = "Test Law LLP", province: str = "ON", owner_email: str | None = None) -> Membership:
    """A firm made the way sign-up makes one; answers its Owner's membership."""
    email = owner_email or f"owner{next(_numbers)}@example.ca"
    with scopes_disabled():
        return firm_service.org_signup(
            ctx=Ctx(org=None),
            firm_name=name,
            province=province,
            user=User(email=email, first_name="Olivia", last_name="Owner"),
            password=PASSWORD,
        )


def role_of(org: Organization, name: str) -> Role:
    with scope(org=org.pk):
        return Role.objects.get(name=name)


def member_create(org: Organization, role: str | Role = permissions.LAWYER, **user_fields) -> Membership:
    with scope(org=org.pk):
        role_obj = role if isinstance(role, Role) else Role.objects.get(name=role)
        user = UserFactory(**user_fields)
        membership = Membership.objects.create(org=org, user=user, role=role_obj)
        return Membership.objects.select_related("org", "role", "user").get(pk=membership.pk)


def custom_role_create(org: Organization, name: str, perms) -> Role:
    with scope(org=org.pk):
        return Role.objects.create(org=org, name=name, permissions=sorted(perms))


def ctx_of(membership: Membership, **extra) -> Ctx:
    with scopes_disabled():
        membership = Membership.objects.select_related("org", "role", "user").get(pk=membership.pk)
    return member_context(membership, **extra)
