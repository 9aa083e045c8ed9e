"""Forms of the firm's settings pages. Each takes ctx where its choices belong to the firm."""

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.models import Membership, Province, Role
from core.permissions import CATALOGUE

CANADIAN_TIME_ZONES = [
    "America/St_Johns",
    "America/Halifax",
    "America/Moncton",
    "America/Toronto",
    "America/Winnipeg",
    "America/Regina",
    "America/Edmonton",
    "America/Vancouver",
    "America/Whitehorse",
    "America/Yellowknife",
    "America/Iqaluit",
]
FEATURE_FLAG_LABELS = {
    "client_portal": _("Client portal"),
    "online_payments": _("Online payments"),
    "e_signature": _("Electronic signature"),
}
AUDIT_ACTION_FAMILIES = [
    ("", _("All actions")),
    ("auth.", _("Sign-in and sign-out")),
    ("mfa.", _("Two-factor authentication")),
    ("member.", _("People")),
    ("invitation.", _("Invitations")),
    ("role.", _("Roles")),
    ("org.", _("Firm profile")),
    ("api_token.", _("API tokens")),
    ("user.", _("Personal profiles")),
]


class OrgForm(forms.Form):
    name = forms.CharField(label=_("Firm name"), max_length=200)
    province = forms.ChoiceField(label=_("Province or territory"), choices=Province.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    require_mfa = forms.BooleanField(
        label=_("Require two-factor authentication for everyone"),
        required=False,
        help_text=_("Members without it are taken to set it up before anything else."),
    )

    def __init__(self, *args, org, **kwargs):
        initial = {
            "name": org.name,
            "province": org.province,
            "time_zone": org.time_zone,
            "require_mfa": org.require_mfa,
            **{f"flag_{name}": org.feature_flags.get(name, False) for name in settings.FEATURE_FLAG_DEFAULTS},
        }
        super().__init__(*args, initial=initial, **kwargs)
        zones = list(CANADIAN_TIME_ZONES)
        if org.time_zone not in zones and org.time_zone in zoneinfo.available_timezones():
            zones.append(org.time_zone)
        self.fields["time_zone"].choices = [(zone, zone.split("/")[-1].replace("_", " ")) for zone in zones]
        for name in settings.FEATURE_FLAG_DEFAULTS:
            self.fields[f"flag_{name}"] = forms.BooleanField(label=FEATURE_FLAG_LABELS.get(name, name), required=False)

    def flag_fields(self):
        return [self[f"flag_{name}"] for name in settings.FEATURE_FLAG_DEFAULTS]

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "province": data["province"],
            "time_zone": data["time_zone"],
            "require_mfa": data["require_mfa"],
            "feature_flags": {name: data[f"flag_{name}"] for name in settings.FEATURE_FLAG_DEFAULTS},
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated inside the firm's scope, so only this firm's roles are offered or accepted.
        self.fields["role"].queryset = Role.objects.order_by("name")
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class MemberRoleForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.order_by("name")


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=list(CATALOGUE.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What it is for, e.g. “Accounting sync”."))
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that works until revoked."),
    )

    def expires_at(self, org) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time.max, tzinfo=zoneinfo.ZoneInfo(org.time_zone))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
    )


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Person"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=AUDIT_ACTION_FAMILIES, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, ctx, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = zoneinfo.ZoneInfo(ctx.org.time_zone)
        people = Membership.objects.select_related("user").order_by("user__last_name", "user__first_name")
        self.fields["actor"].choices = [("", _("Everyone"))] + [(str(m.user_id), str(m.user)) for m in people]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """Keyword arguments for audit_event_list; dates are whole days in the firm's time zone."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        since = dt.datetime.combine(data["since"], dt.time.min, tzinfo=self.tz) if data.get("since") else None
        until = (
            dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
            if data.get("until")
            else None
        )
        return {
            "actor": data.get("actor") or None,
            "action": data.get("action") or None,
            "since": since,
            "until": until,
        }
