"""Page middleware: the TOTP step between the password and the firm's pages."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

MFA_PENDING = "mfa_pending"
# Paths open to a person who gave a password but not yet their code.
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz", "/api/")


class MfaStepMiddleware:
    """A signed-in person with MFA on reaches no page until the second step is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MFA_PENDING) and not request.path.startswith(OPEN_PATHS):
            return redirect(reverse("mfa_step") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
