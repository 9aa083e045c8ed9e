"""Background jobs. Each takes ids, re-enters the firm's scope and calls one service; safe to run twice."""

from django.core.mail import EmailMultiAlternatives
from django_scopes import scopes_disabled
from huey.contrib.djhuey import db_task

from core.models import Invitation, Membership
from core.services import notifications
from core.tenancy import activate


@db_task(retries=3, retry_delay=30)
def invitation_email_send(org_id, invitation_id):
    with activate(org_id):
        invitation = Invitation.objects.select_related("org", "invited_by").filter(pk=invitation_id).first()
        if invitation is not None:
            notifications.invitation_email(invitation=invitation)


@db_task(retries=3, retry_delay=30)
def welcome_email_send(org_id, user_id):
    with activate(org_id):
        membership = Membership.objects.select_related("user", "org").filter(user_id=user_id).first()
        if membership is not None:
            notifications.welcome_email(user=membership.user, org=membership.org)


@db_task(retries=3, retry_delay=30)
def account_email_send(message: dict):
    """Account emails (password reset, address confirmation) rendered at request time by allauth."""
    with scopes_disabled():
        email = EmailMultiAlternatives(subject=message["subject"], body=message["body"], to=message["to"])
        for content, mimetype in message.get("alternatives", []):
            email.attach_alternative(content, mimetype)
        email.send()
