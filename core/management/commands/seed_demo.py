"""Demo data: two firms and their people. Safe to run again: what exists is left as it is."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scope, scopes_disabled

from core import permissions
from core.models import Client, Membership, Organization, PracticeArea, Role, User
from core.services import firms as firm_service
from core.services import matters as matter_service
from core.tenancy import Ctx, member_context

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


DEMO_CLIENTS = [
    {
        "key": "tremblay",
        "data": {
            "kind": "individual",
            "first_name": "Jean-François",
            "last_name": "Tremblay",
            "email": "jf.tremblay@example.ca",
            "phone": "514-555-0142",
            "city": "Montréal",
            "province": "QC",
            "preferred_language": "fr",
        },
    },
    {
        "key": "mapleleaf",
        "data": {
            "kind": "organization",
            "organization_name": "Maple Leaf Logistics Inc.",
            "email": "legal@mapleleaf-logistics.example.ca",
            "phone": "416-555-0199",
            "street": "200 Bay Street",
            "city": "Toronto",
            "province": "ON",
            "postal_code": "M5J 2J2",
        },
    },
    {
        "key": "chen",
        "data": {
            "kind": "individual",
            "first_name": "Amelia",
            "last_name": "Chen",
            "email": "amelia.chen@example.ca",
            "city": "Ottawa",
            "province": "ON",
        },
    },
    {
        "key": "northwind",
        "data": {
            "kind": "organization",
            "organization_name": "Northwind Developments Ltd.",
            "email": "counsel@northwind.example.ca",
            "city": "Mississauga",
            "province": "ON",
        },
    },
    {
        "key": "rossi",
        "data": {
            "kind": "individual",
            "first_name": "Sofia",
            "last_name": "Rossi",
            "city": "Hamilton",
            "province": "ON",
        },
    },
    {
        "key": "harbourfront",
        "data": {
            "kind": "organization",
            "organization_name": "Harbourfront Dental Professional Corporation",
            "city": "Toronto",
            "province": "ON",
        },
    },
]

DEMO_MATTERS = [
    {
        "client": "mapleleaf",
        "area": "Litigation",
        "lawyer": "lawyer@firm.ca",
        "team": ["lawyer@firm.ca", "paralegal@firm.ca"],
        "data": {
            "title": "Supply agreement dispute",
            "billing_method": "hourly",
            "hourly_rate": "425.00",
            "budget": "60000.00",
        },
        "parties": [
            {"name": "Boreal Freight Corp.", "role": "adverse_party"},
            {"name": "Dana Whitfield", "role": "opposing_counsel", "organization": "Whitfield LLP"},
        ],
    },
    {
        "client": "chen",
        "area": "Employment",
        "lawyer": "lawyer@firm.ca",
        "data": {"title": "Wrongful dismissal claim", "billing_method": "contingency", "contingency_percent": "30.00"},
        # Northwind is also a client of the firm: the conflict check flags it.
        "parties": [{"name": "Northwind Developments Ltd.", "role": "adverse_party"}],
        "override": "Northwind consented in writing to our acting against it on this unrelated matter.",
    },
    {
        "client": "northwind",
        "area": "Corporate & Commercial",
        "lawyer": "owner@firm.ca",
        "team": ["lawyer@firm.ca"],
        "data": {
            "title": "Project Aurora: confidential acquisition",
            "billing_method": "hourly",
            "hourly_rate": "550.00",
            "is_restricted": True,
        },
        "parties": [{"name": "Aurora Biotech Inc.", "role": "other"}],
        "override": "The Chen claim against Northwind is unrelated; both clients consented in writing.",
    },
    {
        "client": "tremblay",
        "area": "Wills & Estates",
        "lawyer": "lawyer@firm.ca",
        "data": {"title": "Estate of Marie Tremblay", "billing_method": "flat_fee", "flat_fee": "3500.00"},
        "parties": [{"name": "Luc Tremblay", "role": "co_party"}],
    },
    {
        "client": "rossi",
        "area": "Real Estate",
        "lawyer": "lawyer@firm.ca",
        "data": {"title": "Purchase of 18 Locke Street South", "billing_method": "flat_fee", "flat_fee": "1800.00"},
        "status": "closed",
    },
    {
        "client": "harbourfront",
        "area": "Corporate & Commercial",
        "lawyer": "owner@firm.ca",
        "data": {"title": "Clinic lease renewal", "billing_method": "hourly", "hourly_rate": "395.00"},
        "status": "pending",
    },
]


class Command(BaseCommand):
    help = "Create the demo firms and people (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            for firm in FIRMS:
                self._firm(firm)
        self._practice("Demo Law LLP", "owner@firm.ca")
        self.stdout.write("Demo data ready: sign in as owner@firm.ca / Passw0rd!123")

    @transaction.atomic
    def _practice(self, firm_name: str, owner_email: str) -> None:
        """Clients and matters for the firm, once: a walled matter and a name that raises a conflict."""
        with scopes_disabled():
            org = Organization.objects.get(name=firm_name)
        with scope(org=org.pk):
            if Client.objects.exists():
                return
            owner = Membership.objects.select_related("org", "role", "user").get(user__email=owner_email)
            ctx = member_context(owner)
            users = {m.user.email: m.user.pk for m in Membership.objects.select_related("user")}
            areas = {area.name: area.pk for area in PracticeArea.objects.all()}
            clients = {}
            for spec in DEMO_CLIENTS:
                clients[spec["key"]] = matter_service.client_create(ctx=ctx, data=spec["data"])
            for spec in DEMO_MATTERS:
                data = {
                    **spec["data"],
                    "practice_area": areas[spec["area"]],
                    "responsible_lawyer": users[spec["lawyer"]],
                    "originating_lawyer": users["owner@firm.ca"],
                }
                matter = matter_service.matter_create(
                    ctx=ctx,
                    client=clients[spec["client"]],
                    data=data,
                    team=[users[email] for email in spec.get("team", [])],
                    parties=spec.get("parties", []),
                    conflict_override_reason=spec.get("override", ""),
                )
                if spec.get("status"):
                    matter_service.matter_status_change(ctx=ctx, matter=matter, status=spec["status"])

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
