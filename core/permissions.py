"""The permission catalogue and the built-in roles. Custom roles are subsets of the catalogue."""

from django.utils.translation import gettext_lazy as _

CATALOGUE: dict[str, str] = {
    "org.manage": _("Edit the firm's profile and security settings"),
    "users.view": _("See the firm's people"),
    "users.manage": _("Add people, change their roles, deactivate them"),
    "roles.manage": _("Create and edit roles"),
    "invitations.manage": _("Invite people to the firm"),
    "api_tokens.manage": _("Create and revoke API tokens"),
    "audit.view": _("Read the audit log"),
    "settings.view": _("See the system settings summary"),
    "clients.view": _("See clients"),
    "clients.manage": _("Create and edit clients"),
    "matters.view": _("See matters"),
    "matters.manage": _("Open, edit and close matters"),
    "conflicts.run": _("Run conflict checks"),
    "time.view": _("See time entries"),
    "time.manage": _("Record and edit time"),
    "expenses.manage": _("Record and edit expenses"),
    "billing.view": _("See invoices and payments"),
    "billing.manage": _("Issue invoices and record payments"),
    "reports.view": _("See reports"),
    "documents.view": _("See documents"),
    "documents.manage": _("Upload, share and delete documents"),
    "messages.use": _("Read and send messages"),
    "portal.use": _("Use the client portal"),
}

ALL = frozenset(CATALOGUE)
STAFF = ALL - {"portal.use"}

OWNER = "Owner"
ADMIN = "Admin"
LAWYER = "Lawyer"
PARALEGAL = "Paralegal"
BOOKKEEPER = "Bookkeeper"
CLIENT = "Client"

BUILTIN_ROLES: dict[str, frozenset[str]] = {
    OWNER: STAFF,
    ADMIN: STAFF,
    LAWYER: frozenset(
        {
            "users.view",
            "clients.view",
            "clients.manage",
            "matters.view",
            "matters.manage",
            "conflicts.run",
            "time.view",
            "time.manage",
            "expenses.manage",
            "billing.view",
            "reports.view",
            "documents.view",
            "documents.manage",
            "messages.use",
        }
    ),
    PARALEGAL: frozenset(
        {
            "users.view",
            "clients.view",
            "clients.manage",
            "matters.view",
            "conflicts.run",
            "time.view",
            "time.manage",
            "expenses.manage",
            "documents.view",
            "documents.manage",
            "messages.use",
        }
    ),
    BOOKKEEPER: frozenset(
        {
            "users.view",
            "clients.view",
            "matters.view",
            "time.view",
            "expenses.manage",
            "billing.view",
            "billing.manage",
            "reports.view",
        }
    ),
    CLIENT: frozenset({"portal.use"}),
}

ROLE_DESCRIPTIONS = {
    OWNER: _("Runs the firm: everything, including other Owners and restricted matters."),
    ADMIN: _("Manages people, settings and billing."),
    LAWYER: _("Works on matters, records time, sees billing."),
    PARALEGAL: _("Works on matters and documents, records time."),
    BOOKKEEPER: _("Invoices, payments and reports."),
    CLIENT: _("A client of the firm, through the portal."),
}


def unknown_permissions(permissions) -> list[str]:
    return sorted(set(permissions) - ALL)
