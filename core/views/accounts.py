"""allauth wired to our services: sign-up creates a firm, sign-in is throttled and audited, mail goes through huey."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.db import transaction

from core import exceptions
from core.services import auth as auth_service
from core.services import firms as firm_service
from core.tenancy import anonymous_context
from core.views.middleware import MFA_PENDING


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        ctx = anonymous_context(request)
        try:
            check = auth_service.password_check(
                ctx=ctx,
                email=credentials.get("email", ""),
                password=credentials.get("password", ""),
                request=request,
            )
        except exceptions.Throttled as error:
            raise forms.ValidationError(error.detail) from None
        except exceptions.NotAuthenticated:
            return None
        return check.user

    def login(self, request, user):
        super().login(request, user)
        ctx = anonymous_context(request)
        if auth_service.mfa_enabled(user):
            request.session[MFA_PENDING] = True
            auth_service.page_sign_in_recorded(ctx=ctx, user=user, outcome="mfa_required")
        else:
            auth_service.page_sign_in_recorded(ctx=ctx, user=user)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # "Signed in" would be untrue while the code step is still ahead.
        if message_template == "account/messages/logged_in.txt" and request.session.get(MFA_PENDING):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def logout(self, request):
        user = request.user if request.user.is_authenticated else None
        if user is not None:
            auth_service.page_sign_out_recorded(ctx=anonymous_context(request), user=user)
        super().logout(request)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        """Firm sign-up: the firm, its roles and its Owner are made by the same service as everywhere."""
        data = form.cleaned_data
        user.email = data["email"]
        user.first_name, user.last_name = data["first_name"].strip(), data["last_name"].strip()
        try:
            firm_service.org_signup(
                ctx=anonymous_context(request),
                firm_name=data["firm_name"],
                province=data["province"],
                user=user,
                password=data["password1"],
            )
        except exceptions.ValidationError as error:
            raise forms.ValidationError(error.detail) from None
        return user

    def send_mail(self, template_prefix, email, context):
        from core import tasks

        request = context.get("request") or getattr(self, "request", None)
        context = {"request": request, "email": email, **context}
        message = self.render_mail(template_prefix, email, context)
        alternatives = [(content, mimetype) for content, mimetype in getattr(message, "alternatives", [])]
        tasks.account_email_send(
            {"subject": message.subject, "body": message.body, "to": message.to, "alternatives": alternatives}
        )

    def get_login_redirect_url(self, request):
        return "/app/"
