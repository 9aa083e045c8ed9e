"""My security: two-factor authentication, recovery codes, my name; and the TOTP step of a sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core import exceptions
from core.forms.firm import CodeForm, ProfileForm
from core.services import auth as auth_service
from core.services import firms as firm_service
from core.tenancy import anonymous_context
from core.views.decorators import firm_page, form_errors, render_page
from core.views.middleware import MFA_PENDING


def _security_page(request, forms=None, status=200):
    ctx = request.ctx
    user = request.user
    mfa_on = auth_service.mfa_enabled(user)
    forms = {
        "confirm_form": CodeForm(prefix="confirm"),
        "disable_form": CodeForm(prefix="disable"),
        "regenerate_form": CodeForm(prefix="regenerate"),
        "profile_form": ProfileForm(initial={"first_name": user.first_name, "last_name": user.last_name}),
        **(forms or {}),
    }
    context = {
        "mfa_on": mfa_on,
        "setup": None if mfa_on else auth_service.mfa_setup_pending(ctx=ctx),
        "codes_left": auth_service.recovery_codes_left(user) if mfa_on else 0,
        **forms,
    }
    return render_page(request, "firm/settings/security.html", context, status=status)


def _recovery_codes_page(request, codes):
    return render_page(request, "firm/settings/recovery_codes.html", {"codes": codes})


# Open without MFA: this is where a firm that requires it sends its members to turn it on.
@firm_page(mfa_exempt=True)
def security(request, org_id):
    if request.method != "POST":
        return _security_page(request)
    ctx = request.ctx
    action = request.POST.get("action")
    if action == "mfa_begin":
        auth_service.mfa_setup_begin(ctx=ctx)
        return redirect("security", org_id=org_id)
    if action == "profile":
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return _security_page(request, {"profile_form": form})
        firm_service.profile_update(
            ctx=ctx, first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"]
        )
        messages.success(request, _("Your name is saved."))
        return redirect("security", org_id=org_id)
    steps = {
        "mfa_confirm": ("confirm", auth_service.mfa_setup_confirm),
        "mfa_disable": ("disable", auth_service.mfa_disable),
        "recovery_regenerate": ("regenerate", auth_service.recovery_codes_regenerate),
    }
    if action not in steps:
        raise exceptions.ValidationError(_("Unknown action."))
    prefix, service = steps[action]
    form = CodeForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            codes = service(ctx=ctx, code=form.cleaned_data["code"])
        except exceptions.ValidationError as error:
            form_errors(form, error)
        else:
            if action == "mfa_disable":
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("security", org_id=org_id)
            return _recovery_codes_page(request, codes)
    return _security_page(request, {f"{prefix}_form": form})


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/app/"


@login_required
def mfa_step(request):
    """The second step of a page sign-in: a code from the authenticator app, or a recovery code."""
    next_url = _safe_next(request)
    if not request.session.get(MFA_PENDING):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            auth_service.page_mfa_step(
                ctx=anonymous_context(request), user=request.user, code=form.cleaned_data["code"]
            )
        except exceptions.ValidationError as error:
            form_errors(form, error)
        except exceptions.Throttled as error:
            form.add_error(None, error.detail)
        else:
            del request.session[MFA_PENDING]
            request.session.cycle_key()
            return redirect(next_url)
    response = render(request, "account/mfa_step.html", {"form": form, "next": next_url})
    add_never_cache_headers(response)
    return response
