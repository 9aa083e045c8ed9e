"""The tenant scope fails closed: a query of firm data outside `core.tenancy.activate` raises, and
inside one firm's scope nothing of another firm is visible."""

import pytest
from django.apps import apps
from django.db.models import Count
from django_scopes import ScopeError, scope, scopes_disabled

from core import exceptions
from core.models import (
    ApiToken,
    AuditEvent,
    Client,
    ConflictCheck,
    Invitation,
    Matter,
    MatterNumberSequence,
    MatterStatusChange,
    Membership,
    Organization,
    Party,
    PracticeArea,
    Role,
)
from core.tenancy import Ctx, activate
from tests.security.objects import OBJECT_FACTORIES, bearer

SCOPED_MODELS = [
    Membership,
    Role,
    Invitation,
    ApiToken,
    AuditEvent,
    Client,
    PracticeArea,
    Matter,
    MatterNumberSequence,
    MatterStatusChange,
    Party,
    ConflictCheck,
]

# Models that point at a firm but are deliberately read without its scope, with the reason.
UNSCOPED_ON_PURPOSE = {
    # A sign-in's token family: read while authenticating, before any firm's scope exists, and
    # always filtered by its own id and user (core.tenancy.load_membership, core.services.auth).
    "AuthSession": "read during authentication, before a scope exists",
}

QUERIES = {
    "all": lambda model: list(model.objects.all()),
    "count": lambda model: model.objects.count(),
    "filter": lambda model: list(model.objects.filter(pk__isnull=False)),
    "exists": lambda model: model.objects.exists(),
    "exclude-exists": lambda model: model.objects.exclude(pk=None).exists(),
    "select-related-exists": lambda model: model.objects.select_related("org").exists(),
    "explain": lambda model: model.objects.explain(),
    "in-bulk": lambda model: model.objects.in_bulk(),
    "values": lambda model: list(model.objects.values("pk")),
    "iterator": lambda model: list(model.objects.iterator()),
    "aggregate": lambda model: model.objects.aggregate(n=Count("pk")),
    "update": lambda model: model.objects.update(org=None),
    "delete": lambda model: model.objects.all().delete(),
    "first": lambda model: model.objects.first(),
}


def _firm_data(org: Organization) -> None:
    """One object of every kind the security suite knows, in this firm (audit events come with them)."""
    for name, factory in OBJECT_FACTORIES.items():
        if name != "org_id":
            factory(org)


@pytest.fixture
def two_firms(owner, other_owner):
    _firm_data(owner.org)
    _firm_data(other_owner.org)
    return owner.org, other_owner.org


def _ids(model, org):
    with scopes_disabled():
        return set(model.objects.filter(org=org).values_list("pk", flat=True))


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("query", list(QUERIES))
def test_a_query_outside_any_scope_raises(model, query, two_firms):
    with pytest.raises(ScopeError):
        QUERIES[query](model)


REVERSE_ACCESSORS = {
    rel.related_model: rel.get_accessor_name()
    for rel in Organization._meta.related_objects
    if rel.related_model in SCOPED_MODELS and not rel.get_accessor_name().endswith("+")
}


@pytest.mark.parametrize("model", list(REVERSE_ACCESSORS), ids=lambda m: m.__name__)
def test_a_related_query_outside_any_scope_raises(model, two_firms):
    firm_a, _ = two_firms
    with pytest.raises(ScopeError):
        list(getattr(firm_a, REVERSE_ACCESSORS[model]).all())
    with pytest.raises(ScopeError):
        getattr(firm_a, REVERSE_ACCESSORS[model]).exists()


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_within_a_firms_scope_another_firms_rows_are_invisible(model, two_firms):
    firm_a, firm_b = two_firms
    a_ids, b_ids = _ids(model, firm_a), _ids(model, firm_b)
    assert a_ids and b_ids, f"the fixture should give both firms {model.__name__} rows"
    with activate(firm_a):
        seen = set(model.objects.values_list("pk", flat=True))
        assert seen == a_ids
        assert not model.objects.filter(pk__in=b_ids).exists()
        assert model.objects.filter(org=firm_b).count() == 0  # even when asked for by name
        with pytest.raises(model.DoesNotExist):
            model.objects.get(pk=next(iter(b_ids)))
    with activate(firm_b):
        assert set(model.objects.values_list("pk", flat=True)) == b_ids


def test_a_scope_without_a_firm_fails_closed():
    with pytest.raises(exceptions.NotFound), activate(Ctx(org=None)):
        pass  # pragma: no cover


def test_activate_accepts_a_ctx_a_firm_or_its_id(two_firms, owner):
    firm_a, _ = two_firms
    expected = _ids(Membership, firm_a)
    for target in (firm_a, firm_a.pk, str(firm_a.pk)):
        with activate(target):
            assert set(Membership.objects.values_list("pk", flat=True)) == expected


def test_the_scope_ends_with_the_scope_block(two_firms):
    firm_a, _ = two_firms
    with activate(firm_a):
        Role.objects.count()
    with pytest.raises(ScopeError):
        Role.objects.count()


def test_an_api_request_leaves_no_scope_behind(two_firms, owner):
    response = bearer(owner).get("/api/v1/users/")
    assert response.status_code == 200
    with pytest.raises(ScopeError):
        Membership.objects.count()


def test_every_model_with_a_firm_is_scoped(two_firms):
    """A new tenant-owned model (a field `org` pointing at Organization) must use django-scopes' manager."""
    unscoped = []
    for model in apps.get_app_config("core").get_models():
        org_field = next((f for f in model._meta.fields if f.name == "org"), None)
        if org_field is None or org_field.related_model is not Organization:
            continue
        if model.__name__ in UNSCOPED_ON_PURPOSE:
            continue
        try:
            model.objects.count()
        except ScopeError:
            continue
        unscoped.append(model.__name__)
    assert not unscoped, f"tenant models queried without a scope do not raise (use ScopedManager): {unscoped}"


def test_a_scope_is_exactly_one_firm(two_firms):
    """django-scopes would accept a list of firms; ours never gives one, and one firm never sees two."""
    firm_a, firm_b = two_firms
    with scope(org=firm_a.pk):
        orgs = set(Membership.objects.values_list("org_id", flat=True))
    assert orgs == {firm_a.pk}
