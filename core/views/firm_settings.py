"""The firm's settings pages: profile, people, roles, API tokens and the audit log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import exceptions
from core.forms.firm import (
    ApiTokenForm,
    AuditFilterForm,
    InvitationForm,
    MemberRoleForm,
    OrgForm,
    RoleForm,
)
from core.permissions import CATALOGUE
from core.selectors import audit as audit_selectors
from core.selectors import firms as selectors
from core.services import firms as firm_service
from core.views.decorators import firm_page, form_errors, render_page

AUDIT_PAGE_SIZE = 50


@firm_page("org.manage")
def org_settings(request, org_id):
    ctx = request.ctx
    form = OrgForm(request.POST or None, org=ctx.org)
    if request.method == "POST" and form.is_valid():
        try:
            firm_service.org_update(ctx=ctx, org=ctx.org, data=form.data_for_service())
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The firm's profile is saved."))
            return redirect("org_settings", org_id=org_id)
    return render_page(request, "firm/settings/org.html", {"form": form})


# People.


def _people_page(request, *, invite_form=None, notice="", partial=None):
    ctx = request.ctx
    context = {
        "members": selectors.member_list(ctx=ctx),
        "roles": list(selectors.role_list(ctx=ctx)),
        "invite_form": invite_form or InvitationForm(ctx=ctx),
        "invitations": selectors.invitation_list(ctx=ctx)[:50] if ctx.has("invitations.manage") else [],
        "notice": notice,
    }
    return render_page(request, "firm/settings/people.html", context, partial=partial)


@firm_page("users.view")
def people(request, org_id):
    return _people_page(request)


@require_POST
@firm_page("invitations.manage")
def invitation_create(request, org_id):
    ctx = request.ctx
    form = InvitationForm(request.POST, ctx=ctx)
    if form.is_valid():
        try:
            invitation = firm_service.invitation_create(
                ctx=ctx, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            notice = _("Invitation sent to %(email)s.") % {"email": invitation.email}
            if request.htmx:
                return _people_page(request, notice=notice, partial="invitations")
            messages.success(request, notice)
            return redirect("people", org_id=org_id)
    # Errors answer 200: htmx 2 does not swap a 4xx response.
    return _people_page(request, invite_form=form, partial="invitations")


@require_POST
@firm_page("invitations.manage")
def invitation_revoke(request, org_id, invitation_id):
    ctx = request.ctx
    invitation = selectors.invitation_get(ctx=ctx, invitation_id=invitation_id)
    firm_service.invitation_revoke(ctx=ctx, invitation=invitation)
    messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("people", org_id=org_id)


@require_POST
@firm_page("users.manage")
def member_update(request, org_id, user_id):
    ctx = request.ctx
    membership = selectors.member_get(ctx=ctx, user_id=user_id)
    action = request.POST.get("action")
    if action == "role":
        form = MemberRoleForm(request.POST, ctx=ctx)
        if not form.is_valid():
            raise exceptions.ValidationError(_("Choose a role."))
        data = {"role": form.cleaned_data["role"]}
    elif action in ("deactivate", "reactivate"):
        data = {"is_active": action == "reactivate"}
    else:
        raise exceptions.ValidationError(_("Unknown action."))
    membership = firm_service.member_update(ctx=ctx, membership=membership, data=data)
    if request.htmx:
        context = {"m": membership, "roles": list(selectors.role_list(ctx=ctx)), "row_notice": _("Saved.")}
        return render_page(request, "firm/settings/people.html", context, partial="member-row")
    messages.success(request, _("%(name)s is updated.") % {"name": membership.user})
    return redirect("people", org_id=org_id)


# Roles.


@firm_page("users.view")
def roles(request, org_id):
    ctx = request.ctx
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role = firm_service.role_create(
                ctx=ctx, name=data["name"], description=data["description"], permissions_=data["permissions"]
            )
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The role %(name)s is created.") % {"name": role.name})
            return redirect("roles", org_id=org_id)
    role_rows = [
        (role, [CATALOGUE[p] for p in role.permissions if p in CATALOGUE]) for role in selectors.role_list(ctx=ctx)
    ]
    return render_page(request, "firm/settings/roles.html", {"role_rows": role_rows, "form": form})


@require_POST
@firm_page("roles.manage")
def role_delete(request, org_id, role_id):
    ctx = request.ctx
    role = selectors.role_get(ctx=ctx, role_id=role_id)
    firm_service.role_delete(ctx=ctx, role=role)
    messages.success(request, _("The role %(name)s is deleted.") % {"name": role.name})
    return redirect("roles", org_id=org_id)


# API tokens.


NEW_TOKEN_KEY = "new_api_token"


@firm_page("api_tokens.manage")
def api_tokens(request, org_id):
    ctx = request.ctx
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = firm_service.api_token_create(
                ctx=ctx, name=form.cleaned_data["name"], expires_at=form.expires_at(ctx.org)
            )
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            # Post/redirect/get: a reload must not create a second token. The secret rides in the
            # session to the next page view only, and is gone from there once shown.
            request.session[NEW_TOKEN_KEY] = {"name": created.name, "secret": secret}
            return redirect("api_tokens", org_id=org_id)
    shown = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    context = {
        "tokens": selectors.api_token_list(ctx=ctx),
        "form": form,
        "created": shown,
        "secret": shown["secret"] if shown else None,
    }
    return render_page(request, "firm/settings/api_tokens.html", context)


@require_POST
@firm_page("api_tokens.manage")
def api_token_revoke(request, org_id, token_id):
    ctx = request.ctx
    token = selectors.api_token_get(ctx=ctx, token_id=token_id)
    firm_service.api_token_delete(ctx=ctx, token=token)
    messages.success(request, _("The token %(name)s is revoked. It stops working now.") % {"name": token.name})
    return redirect("api_tokens", org_id=org_id)


# Audit log.


@firm_page("audit.view")
def audit_log(request, org_id):
    ctx = request.ctx
    form = AuditFilterForm(request.GET or None, ctx=ctx)
    events = audit_selectors.audit_event_list(ctx=ctx, **form.filters())
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page(request, "firm/settings/audit.html", context, partial="results")
