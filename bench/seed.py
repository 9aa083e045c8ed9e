"""The benchmark's data: one firm, N people and an API token in a dedicated database.

Run by bench/run.py in a subprocess with the server's environment (settings are read from it at
import). On its own:

    .venv/bin/python bench/seed.py [--members 120] [--database-url postgres://...]

Without DATABASE_URL (environment or option) it makes a SQLite file in a new temporary directory.
It migrates that database, creates (or tops up) the firm through the project's services, makes a
fresh API token for the firm's Owner, counts the SQL each benchmarked endpoint runs, and prints one
JSON line: {"token", "org_id", "members", "database", "queries"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIRM_NAME = "Bench Law LLP"
OWNER_EMAIL = "owner@bench.example"
OWNER_PASSWORD = "Bench-Passw0rd!2025"
MEMBER_EMAIL = "member{:04d}@bench.example"
ENDPOINTS = ["/healthz", "/api/v1/users/me/", "/api/v1/users/?limit=50"]


def bench_environ(database_url: str, var_dir: Path, secret_key: str) -> dict[str, str]:
    """The production-like environment shared by the seed and the server."""
    return {
        "DJANGO_SETTINGS_MODULE": "lawfirm.settings",
        "DEBUG": "0",
        "TESTING": "0",
        "ENVIRONMENT": "bench",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        # The huey queue, media and any other embedded-default file stay in the bench's own folder:
        # the welcome emails that adding people enqueues never reach the project's var/.
        "VAR_DIR": str(var_dir),
        "HUEY_IMMEDIATE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def _setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(members: int) -> dict:
    """One firm with `members` people (the Owner included) and a new Owner API token."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from core import permissions
    from core.models import Membership, Organization, Role, User
    from core.services import firms as firm_service
    from core.tenancy import Ctx, activate, member_context

    with scopes_disabled():
        org = Organization.objects.filter(name=FIRM_NAME).order_by("created_at").first()
        if org is None:
            owner = firm_service.org_signup(
                ctx=Ctx(org=None),
                firm_name=FIRM_NAME,
                province="ON",
                user=User(email=OWNER_EMAIL, first_name="Olivia", last_name="Owner"),
                password=OWNER_PASSWORD,
            )
            org = owner.org
        owner = Membership.objects.select_related("org", "role", "user").get(org=org, user__email=OWNER_EMAIL)
    ctx = member_context(owner)
    with activate(ctx):
        roles = list(Role.objects.filter(is_builtin=True).exclude(name=permissions.OWNER).order_by("name"))
        existing = Membership.objects.count()
        with transaction.atomic():
            for i in range(existing, members):
                firm_service.member_create(
                    ctx=ctx,
                    email=MEMBER_EMAIL.format(i),
                    role=roles[i % len(roles)],
                    first_name=f"Person{i:04d}",
                    last_name=f"Bench{(i * 7919) % 1000:03d}",  # a spread of surnames for the default ordering
                )
        _token, secret = firm_service.api_token_create(ctx=ctx, name="bench")
        count = Membership.objects.count()
    return {"token": secret, "org_id": str(org.pk), "members": count}


def probe_queries(token: str) -> dict:
    """The SQL each endpoint runs, through the full middleware stack (Django's test client).

    The first request of a token marks its last use (a write at most once a minute); the probe
    reports the second request, which is what the steady state of the benchmark runs.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    probes = {}
    for path in ENDPOINTS:
        first = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        sql = [q["sql"] for q in queries.captured_queries]
        probes[path] = {
            "status": response.status_code,
            "first_status": first.status_code,
            "queries": len(sql),
            "writes": sum(1 for s in sql if s.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}),
            "sql": sql,
        }
    return probes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=120, help="people in the firm, Owner included (default 120)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)

    if "DJANGO_SETTINGS_MODULE" not in os.environ:  # run by hand: make the bench's own environment
        import secrets

        var_dir = Path(tempfile.mkdtemp(prefix="lawfirm-bench-"))
        database_url = args.database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
        os.environ.update(bench_environ(database_url, var_dir, secrets.token_urlsafe(50)))
    elif args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _setup()

    from django.db import connection

    migrate()
    result = seed(args.members)
    result["database"] = connection.vendor
    result["database_url"] = os.environ["DATABASE_URL"]
    result["queries"] = probe_queries(result["token"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
