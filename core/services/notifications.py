"""Email to people: rendered from templates/emails/, sent by huey jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import Invitation, User
from core.services import firms


def email_send(*, to: str, template: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    message.send()


def invitation_email(*, invitation: Invitation) -> None:
    if invitation.status != "pending":
        return
    link = settings.SITE_URL + reverse("invitation_accept", args=[firms.invitation_token(invitation)])
    email_send(
        to=invitation.email,
        template="invitation",
        context={"invitation": invitation, "org": invitation.org, "inviter": invitation.invited_by, "link": link},
    )


def welcome_email(*, user: User, org) -> None:
    """A person added directly by the firm chooses their password through a reset link."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    if user.has_usable_password():
        return
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    email_send(to=user.email, template="welcome", context={"user": user, "org": org, "link": settings.SITE_URL + path})
