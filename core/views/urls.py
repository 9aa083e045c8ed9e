from django.urls import path

from core.views import firm_settings, health, home, invitations, security

app = "app/<uuid:org_id>/"
settings_ = app + "settings/"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", home.root, name="root"),
    path("accounts/2fa/", security.mfa_step, name="mfa_step"),
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("app/", home.app_home, name="app_home"),
    path(app, home.firm_home, name="firm_home"),
    path(settings_ + "firm/", firm_settings.org_settings, name="org_settings"),
    path(settings_ + "people/", firm_settings.people, name="people"),
    path(settings_ + "people/invite/", firm_settings.invitation_create, name="invitation_create"),
    path(
        settings_ + "people/invitations/<uuid:invitation_id>/revoke/",
        firm_settings.invitation_revoke,
        name="invitation_revoke",
    ),
    path(settings_ + "people/<uuid:user_id>/", firm_settings.member_update, name="member_update"),
    path(settings_ + "roles/", firm_settings.roles, name="roles"),
    path(settings_ + "roles/<uuid:role_id>/delete/", firm_settings.role_delete, name="role_delete"),
    path(settings_ + "api-tokens/", firm_settings.api_tokens, name="api_tokens"),
    path(settings_ + "api-tokens/<uuid:token_id>/revoke/", firm_settings.api_token_revoke, name="api_token_revoke"),
    path(settings_ + "security/", security.security, name="security"),
    path(settings_ + "audit/", firm_settings.audit_log, name="audit_log"),
]
