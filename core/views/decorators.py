"""Signing in and scoping a firm page: the one place a page learns which firm it acts for."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from core import exceptions
from core.permissions import CATALOGUE
from core.tenancy import activate, load_membership, member_context


def firm_page(permission=None, *, mfa_exempt=False):
    """For views under /app/<org_id>/: a member of that firm (another firm is a 404), in its scope.

    The view receives `request.ctx`. Domain errors map to 404, 403, or a message on the same page.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_id, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = load_membership(user_id=request.user.pk, org_id=org_id)
            if membership is None:
                raise Http404()
            ctx = member_context(membership, request)
            request.ctx = ctx
            if not mfa_exempt and membership.org.require_mfa and not membership.mfa_on:
                messages.warning(
                    request,
                    _("%(firm)s requires two-factor authentication. Turn it on to continue.")
                    % {"firm": membership.org.name},
                )
                return redirect("security", org_id=org_id)
            if permission and not ctx.has(permission):
                raise PermissionDenied()
            try:
                # Times on a firm's pages read in the firm's own time zone.
                with activate(ctx), timezone.override(ctx.org.time_zone):
                    response = view(request, org_id, *args, **kwargs)
                # Firm pages hold privileged data: no browser or proxy keeps a copy.
                add_never_cache_headers(response)
                return response
            except exceptions.NotFound:
                raise Http404() from None
            except exceptions.PermissionDenied:
                raise PermissionDenied() from None
            except (exceptions.Conflict, exceptions.ValidationError) as error:
                messages.error(request, error.detail)
                target = _back(request)
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)

        return wrapper

    return decorator


def _back(request) -> str:
    """Where to show a refused action's message: the page it came from, if that page is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return referer
    return request.get_full_path() if request.method == "GET" else "/app/"


def permission_flags(ctx) -> dict[str, bool]:
    """What the member may do, for showing or hiding links: `can.users_manage` in templates."""
    return {code.replace(".", "_"): ctx.has(code) for code in CATALOGUE}


def render_page(request, template, context=None, *, partial=None, status=200):
    """Render a firm page, or only its named partial for an htmx request."""
    ctx = request.ctx
    context = {"ctx": ctx, "org": ctx.org, "can": permission_flags(ctx), **(context or {})}
    name = f"{template}#{partial}" if partial and request.htmx else template
    return render(request, name, context, status=status)


def form_errors(form, error: exceptions.DomainError) -> None:
    """Put a service's validation errors next to the fields they name, the rest above the form."""
    placed = False
    for field, field_messages in error.errors.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)
