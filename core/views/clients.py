"""The clients pages: the list with live search, a new client, and the client's own page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import exceptions
from core.forms.matters import ClientFilterForm, ClientForm, PortalInviteForm
from core.selectors import firms as firm_selectors
from core.selectors import matters as selectors
from core.services import firms as firm_service
from core.services import matters as services
from core.views.decorators import firm_page, form_errors, render_page

PAGE_SIZE = 25


@firm_page("clients.view")
def client_list(request, org_id):
    ctx = request.ctx
    form = ClientFilterForm(request.GET or None)
    clients = selectors.client_list(ctx=ctx, **form.filters())
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page(request, "firm/clients/list.html", context, partial="results")


@firm_page("clients.manage")
def client_create(request, org_id):
    ctx = request.ctx
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(ctx=ctx, data=form.data_for_service())
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": client.name})
            return redirect("client_detail", org_id=org_id, client_id=client.pk)
    return render_page(request, "firm/clients/new.html", {"form": form})


def _client_page(request, client, *, form=None, invite_form=None, status=200):
    ctx = request.ctx
    context = {
        "client": client,
        "matters": selectors.matter_list(ctx=ctx, client_id=client.pk)[:100] if ctx.has("matters.view") else None,
        "form": form or ClientForm(client=client),
        "invite_form": invite_form or PortalInviteForm(initial={"email": client.email}),
        "portal": firm_selectors.client_portal_access(ctx=ctx, client=client)
        if ctx.has("invitations.manage")
        else None,
    }
    return render_page(request, "firm/clients/detail.html", context, status=status)


@firm_page("clients.view")
def client_detail(request, org_id, client_id):
    ctx = request.ctx
    client = selectors.client_get(ctx=ctx, client_id=client_id)
    if request.method != "POST":
        return _client_page(request, client)
    ctx.require("clients.manage")
    form = ClientForm(request.POST, client=client)
    if form.is_valid():
        try:
            services.client_update(ctx=ctx, client=client, data=form.data_for_service())
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The client is saved."))
            return redirect("client_detail", org_id=org_id, client_id=client.pk)
    # What was typed stays in the form; the page's heading shows the saved client.
    return _client_page(request, selectors.client_get(ctx=ctx, client_id=client_id), form=form)


@require_POST
@firm_page("clients.manage")
def client_archive(request, org_id, client_id):
    ctx = request.ctx
    client = selectors.client_get(ctx=ctx, client_id=client_id, permission="clients.manage")
    active = request.POST.get("action") == "restore"
    services.client_update(ctx=ctx, client=client, data={"is_active": active})
    if active:
        messages.success(request, _("%(name)s is restored.") % {"name": client.name})
    else:
        messages.success(request, _("%(name)s is archived. Its matters stay.") % {"name": client.name})
    return redirect("client_detail", org_id=org_id, client_id=client.pk)


@require_POST
@firm_page("clients.manage")
def client_invite(request, org_id, client_id):
    ctx = request.ctx
    ctx.require("invitations.manage")
    client = selectors.client_get(ctx=ctx, client_id=client_id, permission="clients.manage")
    form = PortalInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = firm_service.client_portal_invite(ctx=ctx, client=client, email=form.cleaned_data["email"])
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Portal invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("client_detail", org_id=org_id, client_id=client.pk)
    return _client_page(request, client, invite_form=form)


@require_POST
@firm_page("invitations.manage")
def client_invitation_revoke(request, org_id, client_id, invitation_id):
    ctx = request.ctx
    client = selectors.client_get(ctx=ctx, client_id=client_id)
    invitation = firm_selectors.invitation_get(ctx=ctx, invitation_id=invitation_id, client=client)
    firm_service.invitation_revoke(ctx=ctx, invitation=invitation)
    messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("client_detail", org_id=org_id, client_id=client.pk)
