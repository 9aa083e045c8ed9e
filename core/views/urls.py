from django.urls import path

from core.views import clients, firm_settings, health, home, invitations, matters, security

app = "app/<uuid:org_id>/"
settings_ = app + "settings/"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", home.root, name="root"),
    path("accounts/2fa/", security.mfa_step, name="mfa_step"),
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("app/", home.app_home, name="app_home"),
    path(app, home.firm_home, name="firm_home"),
    path(app + "clients/", clients.client_list, name="client_list"),
    path(app + "clients/new/", clients.client_create, name="client_create"),
    path(app + "clients/<uuid:client_id>/", clients.client_detail, name="client_detail"),
    path(app + "clients/<uuid:client_id>/archive/", clients.client_archive, name="client_archive"),
    path(app + "clients/<uuid:client_id>/invite/", clients.client_invite, name="client_invite"),
    path(
        app + "clients/<uuid:client_id>/invitations/<uuid:invitation_id>/revoke/",
        clients.client_invitation_revoke,
        name="client_invitation_revoke",
    ),
    path(app + "matters/", matters.matter_list, name="matter_list"),
    path(app + "matters/new/", matters.matter_create, name="matter_create"),
    path(app + "matters/new/conflicts/", matters.matter_conflicts, name="matter_conflicts"),
    path(app + "matters/new/party-row/", matters.matter_party_row, name="matter_party_row"),
    path(app + "matters/<uuid:matter_id>/", matters.matter_detail, name="matter_detail"),
    path(app + "matters/<uuid:matter_id>/status/", matters.matter_status, name="matter_status"),
    path(app + "matters/<uuid:matter_id>/parties/", matters.party_add, name="party_add"),
    path(app + "matters/<uuid:matter_id>/parties/<uuid:party_id>/", matters.party_update, name="party_update"),
    path(app + "matters/<uuid:matter_id>/parties/<uuid:party_id>/remove/", matters.party_remove, name="party_remove"),
    path(app + "conflicts/", matters.conflict_search, name="conflict_search"),
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
