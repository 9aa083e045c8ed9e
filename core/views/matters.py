"""The matters pages: the list, a new matter with its live conflict check, the matter's tabs, conflicts."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import exceptions
from core.forms.matters import (
    PARTY_ROWS_MAX,
    ConflictPreviewForm,
    ConflictSearchForm,
    MatterCreateForm,
    MatterFilterForm,
    MatterForm,
    PartyForm,
    PartyRowAddForm,
    PartyRowFormSet,
    StatusChangeForm,
    party_rows,
)
from core.models import Matter
from core.selectors import matters as selectors
from core.services import conflicts as conflict_service
from core.services import matters as services
from core.views.decorators import firm_page, form_errors, render_page

PAGE_SIZE = 25
TABS = ["overview", "parties"]
LATER_TABS = [
    ("time", gettext_lazy("Time")),
    ("expenses", gettext_lazy("Expenses")),
    ("invoices", gettext_lazy("Invoices")),
    ("documents", gettext_lazy("Documents")),
    ("messages", gettext_lazy("Messages")),
]


# The list.


@firm_page("matters.view")
def matter_list(request, org_id):
    ctx = request.ctx
    clients = selectors.client_list(ctx=ctx) if ctx.has("clients.view") else None
    form = MatterFilterForm(
        request.GET or None, ctx=ctx, practice_areas=selectors.practice_area_list(ctx=ctx), clients=clients
    )
    matters = selectors.matter_list(ctx=ctx, **form.filters())
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page(request, "firm/matters/list.html", context, partial="results")


# A new matter.


def _conflicts_url(request):
    return (
        reverse("matter_conflicts", kwargs={"org_id": request.ctx.org.pk}) if request.ctx.has("conflicts.run") else None
    )


@firm_page("matters.manage")
def matter_create(request, org_id):
    ctx = request.ctx
    url = _conflicts_url(request)
    form_kwargs = {
        "ctx": ctx,
        "practice_areas": selectors.practice_area_list(ctx=ctx),
        "clients": selectors.client_list(ctx=ctx, active=True),
        "conflicts_url": url,
    }
    if request.method == "POST":
        form = MatterCreateForm(request.POST, **form_kwargs)
        parties = PartyRowFormSet(request.POST, prefix="parties", form_kwargs={"conflicts_url": url})
        if form.is_valid() and parties.is_valid():
            data, team = form.data_for_service()
            reason = form.cleaned_data["conflict_override_reason"]
            try:
                client = selectors.client_for_matter(ctx=ctx, client_id=form.cleaned_data["client"])
                matter = services.matter_create(
                    ctx=ctx,
                    client=client,
                    data=data,
                    team=team,
                    parties=party_rows(parties),
                    conflict_override_reason=reason,
                )
            except exceptions.ValidationError as error:
                form_errors(form, error)
            except exceptions.Conflict as error:
                form.add_error("conflict_override_reason" if not reason.strip() else None, error.detail)
            else:
                messages.success(request, _("Matter %(number)s is open.") % {"number": matter.number})
                return redirect("matter_detail", org_id=org_id, matter_id=matter.pk)
    else:
        initial = {"responsible_lawyer": str(ctx.user.pk), "team": [str(ctx.user.pk)]}
        if request.GET.get("client"):
            initial["client"] = request.GET["client"]
        form = MatterCreateForm(initial=initial, **form_kwargs)
        parties = PartyRowFormSet(prefix="parties", form_kwargs={"conflicts_url": url})
    context = {"form": form, "parties": parties, "conflicts_url": url, "party_rows_max": PARTY_ROWS_MAX}
    return render_page(request, "firm/matters/new.html", context)


@firm_page("matters.manage")
def matter_party_row(request, org_id):
    """One more empty party row for the new-matter form; the form's row count follows out of band."""
    form = PartyRowAddForm(request.GET)
    if not form.is_valid():
        return HttpResponse(status=204)  # htmx swaps nothing: the form has all the rows it may have
    context = {
        "row": form.row(conflicts_url=_conflicts_url(request)),
        "next_total": form.cleaned_data["TOTAL_FORMS"] + 1,
        "party_rows_max": PARTY_ROWS_MAX,
    }
    return render_page(request, "firm/matters/_party_row.html", context)


@firm_page("conflicts.run")
def matter_conflicts(request, org_id):
    """The live conflict check of the new-matter form: the hits of the client and each party's name."""
    ctx = request.ctx
    form = ConflictPreviewForm(request.GET)
    client = None
    if form.is_valid() and form.cleaned_data["client"]:
        client = selectors.client_list(ctx=ctx, active=True).filter(pk=form.cleaned_data["client"]).first()
    preview = services.matter_conflict_preview(ctx=ctx, client=client, names=form.names)
    groups = [{"name": name, "hits": hits} for name, hits in preview]
    context = {
        "groups": groups,
        "checked": bool(groups),
        "count": sum(len(g["hits"]) for g in groups),
        "show_reason_hint": True,
    }
    return render_page(request, "firm/matters/_conflicts.html", context, partial="hits")


@firm_page("conflicts.run")
def conflict_search(request, org_id):
    ctx = request.ctx
    form = ConflictSearchForm(request.GET or None)
    hits, error = None, ""
    if form.is_valid():
        try:
            hits = conflict_service.conflict_search(ctx=ctx, query=form.cleaned_data["q"])
        except exceptions.ValidationError as refused:
            form_errors(form, refused)
            error = refused.detail
    groups = [{"name": form.cleaned_data["q"], "hits": hits}] if hits is not None else []
    context = {
        "form": form,
        "groups": groups,
        "checked": hits is not None,
        "count": len(hits or []),
        "error": error,
        "panel_title": _("Results"),
    }
    if request.htmx:
        # The search box stays; only the hits are swapped.
        return render_page(request, "firm/matters/_conflicts.html", context, partial="hits")
    return render_page(request, "firm/conflicts.html", context)


# The matter's page and its tabs.


def _matter_page(request, matter, *, tab="overview", status=200, **extra):
    ctx = request.ctx
    context = {
        "matter": matter,
        "tab": tab,
        "later_tabs": LATER_TABS,
        "is_closed": matter.status == Matter.Status.CLOSED,
    }
    if tab == "overview":
        context.update(
            history=selectors.matter_status_history(ctx=ctx, matter=matter),
            checks=selectors.conflict_check_list(ctx=ctx, matter=matter),
            status_form=StatusChangeForm(),
        )
        if ctx.has("matters.manage") and "form" not in extra:
            context["form"] = MatterForm(
                ctx=ctx, practice_areas=selectors.practice_area_list(ctx=ctx), matter=matter, prefix="edit"
            )
    else:
        edit_form, edit_party_id = extra.pop("edit_form", None), extra.pop("edit_party_id", None)
        context["party_rows"] = [
            (party, edit_form if party.pk == edit_party_id else PartyForm(party=party))
            for party in selectors.party_list(ctx=ctx, matter=matter)
        ]
        context["edit_party_id"] = edit_party_id
        if "party_form" not in extra:
            context["party_form"] = PartyForm(prefix="new")
    context.update(extra)
    return render_page(request, "firm/matters/detail.html", context, partial="tabs", status=status)


@firm_page("matters.view")
def matter_detail(request, org_id, matter_id):
    ctx = request.ctx
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id)
    if request.method != "POST":
        tab = request.GET.get("tab")
        return _matter_page(request, matter, tab=tab if tab in TABS else "overview")
    ctx.require("matters.manage")
    form = MatterForm(request.POST, ctx=ctx, practice_areas=selectors.practice_area_list(ctx=ctx), prefix="edit")
    if form.is_valid():
        data, team = form.data_for_service()
        try:
            services.matter_update(ctx=ctx, matter=matter, data=data, team=team)
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The matter is saved."))
            return redirect("matter_detail", org_id=org_id, matter_id=matter.pk)
    return _matter_page(request, selectors.matter_get(ctx=ctx, matter_id=matter_id), form=form)


@require_POST
@firm_page("matters.manage")
def matter_status(request, org_id, matter_id):
    """Close (with its date and reason), reopen, or set pending; a refusal comes back as a message."""
    ctx = request.ctx
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        raise exceptions.ValidationError(_("Enter a valid date."))
    status = request.POST.get("status", "")
    services.matter_status_change(
        ctx=ctx, matter=matter, status=status, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
    )
    notices = {
        Matter.Status.CLOSED: _("Matter %(number)s is closed."),
        Matter.Status.OPEN: _("Matter %(number)s is open again."),
        Matter.Status.PENDING: _("Matter %(number)s is pending."),
    }
    messages.success(request, notices[status] % {"number": matter.number})
    return redirect("matter_detail", org_id=org_id, matter_id=matter.pk)


# Parties.


@require_POST
@firm_page("matters.manage")
def party_add(request, org_id, matter_id):
    ctx = request.ctx
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    form = PartyForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            party, hits = services.party_add(ctx=ctx, matter=matter, data=form.cleaned_data)
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            notice = _("%(name)s is added.") % {"name": party.name}
            return _matter_page(request, matter, tab="parties", notice=notice, added=party, added_hits=hits)
    return _matter_page(request, matter, tab="parties", party_form=form)


@require_POST
@firm_page("matters.manage")
def party_update(request, org_id, matter_id, party_id):
    ctx = request.ctx
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    party = selectors.party_get(ctx=ctx, matter=matter, party_id=party_id)
    form = PartyForm(request.POST, party=party)
    if form.is_valid():
        try:
            party = services.party_update(ctx=ctx, party=party, data=form.cleaned_data)
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            return _matter_page(request, matter, tab="parties", notice=_("%(name)s is saved.") % {"name": party.name})
    return _matter_page(request, matter, tab="parties", edit_form=form, edit_party_id=party.pk)


@require_POST
@firm_page("matters.manage")
def party_remove(request, org_id, matter_id, party_id):
    ctx = request.ctx
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    party = selectors.party_get(ctx=ctx, matter=matter, party_id=party_id)
    services.party_remove(ctx=ctx, party=party)
    return _matter_page(request, matter, tab="parties", notice=_("%(name)s is removed.") % {"name": party.name})
