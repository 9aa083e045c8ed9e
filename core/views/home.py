"""The way in: the root address, the choice of firm, and the firm's home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.tenancy import memberships_of
from core.views.decorators import firm_page, render_page


def root(request):
    return redirect("app_home" if request.user.is_authenticated else "account_login")


@login_required
def app_home(request):
    memberships = memberships_of(request.user)
    if len(memberships) == 1:
        return redirect("firm_home", org_id=memberships[0].org_id)
    return render(request, "firm/picker.html", {"memberships": memberships})


@firm_page()
def firm_home(request, org_id):
    return render_page(request, "firm/home.html", {"mfa_on": request.ctx.membership.mfa_on})
