"""Demo data: two firms and their people. Safe to run again: what exists is left as it is."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scope, scopes_disabled

from core import permissions
from core.models import Membership, Organization, Role, User
from core.services import firms as firm_service
from core.tenancy import Ctx

PASSWORD = "Passw0rd!123"

FIRMS = [
    {
        "name": "Demo Law LLP",
        "province": "ON",
        "time_zone": "America/Toronto",
        "people": [
            ("owner@firm.ca", "Olivia", "Owner", permissions.OWNER),
            ("lawyer@firm.ca", "Liam", "Lawyer", permissions.LAWYER),
            ("paralegal@firm.ca", "Priya", "Paralegal", permissions.PARALEGAL),
            ("bookkeeper@firm.ca", "Ben", "Bookkeeper", permissions.BOOKKEEPER),
        ],
    },
    {
        "name": "Northern Legal LLP",
        "province": "BC",
        "time_zone": "America/Vancouver",
        "people": [("owner@northern.ca", "Noah", "Northern", permissions.OWNER)],
    },
]


class Command(BaseCommand):
    help = "Create the demo firms and people (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            for firm in FIRMS:
                self._firm(firm)
        self.stdout.write("Demo data ready: sign in as owner@firm.ca / Passw0rd!123")

    @transaction.atomic
    def _firm(self, spec):
        org = Organization.objects.filter(name=spec["name"]).first()
        owner_email, first, last, _role = spec["people"][0]
        if org is None:
            owner = User.objects.filter(email=owner_email).first() or User(
                email=owner_email, first_name=first, last_name=last
            )
            if owner.pk and Membership.objects.filter(user=owner).exists():
                self.stderr.write(f"{owner_email} exists in another firm; skipping {spec['name']}.")
                return
            membership = firm_service.org_signup(
                ctx=Ctx(org=None), firm_name=spec["name"], province=spec["province"], user=owner, password=PASSWORD
            )
            org = membership.org
            org.time_zone = spec["time_zone"]
            org.save(update_fields=["time_zone"])
        with scope(org=org.pk):
            roles = {role.name: role for role in Role.objects.filter(is_builtin=True)}
            for email, first, last, role_name in spec["people"][1:]:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(email=email, password=PASSWORD, first_name=first, last_name=last)
                Membership.objects.get_or_create(org=org, user=user, defaults={"role": roles[role_name]})
