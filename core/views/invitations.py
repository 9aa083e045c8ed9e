"""Accepting an invitation: a new person chooses a name and password; a known one signs in first."""

from urllib.parse import urlencode

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse

from core import exceptions
from core.forms.firm import InvitationAcceptForm
from core.services import firms as firm_service
from core.tenancy import anonymous_context
from core.views.decorators import form_errors

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept(request, token):
    try:
        invitation = firm_service.invitation_from_token(token)
    except exceptions.NotFound as error:
        return render(request, "public/invitation_invalid.html", {"detail": error.detail}, status=404)
    ctx = anonymous_context(request)
    user = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "org": invitation.org, "token": token}
    if user is not None:
        context["wrong_account"] = user.email != invitation.email
        if request.method == "POST" and not context["wrong_account"]:
            membership = firm_service.invitation_accept(ctx=ctx, token=token, user=user)
            return redirect("firm_home", org_id=membership.org_id)
        return render(request, "public/invitation_accept.html", context)
    if firm_service.invitation_has_account(invitation):
        context["login_url"] = reverse("account_login") + "?" + urlencode({"next": request.path})
        return render(request, "public/invitation_accept.html", {**context, "has_account": True})
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = firm_service.invitation_accept(
                ctx=ctx,
                token=token,
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
            )
        except (exceptions.ValidationError, exceptions.Conflict) as error:
            form_errors(form, error)
        else:
            login(request, membership.user, backend=MODEL_BACKEND)
            return redirect("firm_home", org_id=membership.org_id)
    return render(request, "public/invitation_accept.html", {**context, "form": form})
