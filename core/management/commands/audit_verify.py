"""Verify the audit trail's hash chains; name the first broken event. Exits 1 if any chain is broken."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from core.models import AuditChainHead, AuditEvent
from core.services.audit import chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains, per firm."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Verify only this firm's chain (its id).")

    def handle(self, *args, **options):
        with scopes_disabled():
            if options["org"]:
                chains = [options["org"]]
            else:
                chains = sorted(
                    set(AuditChainHead.objects.values_list("chain", flat=True))
                    | {
                        str(org) if org else "platform"
                        for org in AuditEvent.objects.values_list("org_id", flat=True).distinct()
                    }
                )
            broken = 0
            for chain in chains:
                report = chain_verify(chain)
                if report.ok:
                    self.stdout.write(f"{chain}: ok, {report.checked} events")
                    continue
                broken += 1
                event = report.broken_event
                where = f"event {event.id} (seq {event.seq}, {event.action})" if event else "end of chain"
                self.stdout.write(f"{chain}: BROKEN at {where}: {report.reason}")
        if broken:
            raise CommandError(f"{broken} chain(s) broken")
