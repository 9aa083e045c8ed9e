"""Forms of the clients, matters, parties and conflict pages. Choices come from the firm's scope."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Client, Matter, Party, Province
from core.selectors.firms import staff_members

SEARCH_ATTRS = {"autocomplete": "off", "spellcheck": "false", "type": "search"}


def _member_choices(ctx, empty_label=None) -> list:
    choices = [(str(m.user_id), m.user.get_full_name() or m.user.email) for m in staff_members(ctx=ctx)]
    return ([("", empty_label)] if empty_label else []) + choices


def _blank(value):
    return value if value not in ("", None) else None


# Clients.


class ClientFilterForm(forms.Form):
    ACTIVE_CHOICES = [("active", _("Active")), ("archived", _("Archived")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), max_length=200, required=False, widget=forms.TextInput(attrs=SEARCH_ATTRS))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Client.Kind.choices], required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"active": True}
        data = self.cleaned_data
        active = {"active": True, "archived": False, "all": None}[data.get("active") or "active"]
        return {"q": data.get("q") or None, "kind": data.get("kind") or None, "active": active}


class ClientForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Client.Kind.choices, initial=Client.Kind.INDIVIDUAL, widget=forms.RadioSelect
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    organization_name = forms.CharField(label=_("Organization name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.ChoiceField(
        label=_("Province or territory"), choices=[("", "—"), *Province.choices], required=False
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Client.Language.choices, initial=Client.Language.EN
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, client: Client | None = None, **kwargs):
        if client is not None:
            kwargs.setdefault("initial", {name: getattr(client, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class PortalInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


# Matters.


class MatterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, widget=forms.TextInput(attrs=SEARCH_ATTRS))
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Matter.Status.choices], required=False
    )
    practice_area = forms.ChoiceField(label=_("Practice area"), required=False)
    responsible_lawyer = forms.ChoiceField(label=_("Responsible lawyer"), required=False)
    client = forms.ChoiceField(label=_("Client"), required=False)

    def __init__(self, *args, ctx, practice_areas, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice_area"].choices = [("", _("All areas"))] + [(str(a.pk), a.name) for a in practice_areas]
        self.fields["responsible_lawyer"].choices = _member_choices(ctx, _("Anyone"))
        if clients is None:
            del self.fields["client"]
        else:
            self.fields["client"].choices = [("", _("All clients"))] + [(str(c.pk), c.name) for c in clients]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "practice_area_id": data.get("practice_area") or None,
            "responsible_lawyer_id": data.get("responsible_lawyer") or None,
            "client_id": data.get("client") or None,
        }


class MatterForm(forms.Form):
    """A matter's own fields; the new-matter form adds the client, parties and the override reason."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    practice_area = forms.ChoiceField(label=_("Practice area"), required=False)
    responsible_lawyer = forms.ChoiceField(label=_("Responsible lawyer"), required=False)
    originating_lawyer = forms.ChoiceField(label=_("Originating lawyer"), required=False)
    team = forms.MultipleChoiceField(
        label=_("Team"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people who work on the matter. A restricted matter is visible only to them and Owners."),
    )
    billing_method = forms.ChoiceField(
        label=_("Billing method"),
        choices=Matter.BillingMethod.choices,
        initial=Matter.BillingMethod.HOURLY,
        widget=forms.RadioSelect,
    )
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate (CAD)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    flat_fee = forms.DecimalField(
        label=_("Flat fee (CAD)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    contingency_percent = forms.DecimalField(
        label=_("Contingency (%)"), required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    budget = forms.DecimalField(label=_("Budget (CAD)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    is_restricted = forms.BooleanField(
        label=_("Restricted to its team"),
        required=False,
        help_text=_("Nobody outside the team sees it, Admins included. Only Owners can set this."),
    )

    def __init__(self, *args, ctx, practice_areas, matter: Matter | None = None, **kwargs):
        if matter is not None:
            initial = {
                "title": matter.title,
                "description": matter.description,
                "practice_area": str(matter.practice_area_id or ""),
                "responsible_lawyer": str(matter.responsible_lawyer_id or ""),
                "originating_lawyer": str(matter.originating_lawyer_id or ""),
                "team": [str(member.user_id) for member in matter.team.all()],
                "billing_method": matter.billing_method,
                "hourly_rate": matter.hourly_rate,
                "flat_fee": matter.flat_fee,
                "contingency_percent": matter.contingency_percent,
                "budget": matter.budget,
                "is_restricted": matter.is_restricted,
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["practice_area"].choices = [("", "—")] + [(str(a.pk), a.name) for a in practice_areas]
        members = _member_choices(ctx)
        self.fields["responsible_lawyer"].choices = [("", "—"), *members]
        self.fields["originating_lawyer"].choices = [("", "—"), *members]
        self.fields["team"].choices = members
        if not ctx.is_owner:
            # Walls are the Owners' decision; others neither see nor send the field.
            del self.fields["is_restricted"]

    def data_for_service(self) -> tuple[dict, list]:
        data = self.cleaned_data
        out = {
            "title": data["title"],
            "description": data["description"],
            "practice_area": _blank(data["practice_area"]),
            "responsible_lawyer": _blank(data["responsible_lawyer"]),
            "originating_lawyer": _blank(data["originating_lawyer"]),
            "billing_method": data["billing_method"],
            "hourly_rate": data["hourly_rate"],
            "flat_fee": data["flat_fee"],
            "contingency_percent": data["contingency_percent"],
            "budget": data["budget"],
        }
        if "is_restricted" in self.fields:
            out["is_restricted"] = data["is_restricted"]
        return out, list(data["team"])


class MatterCreateForm(MatterForm):
    client = forms.ChoiceField(label=_("Client"))
    conflict_override_reason = forms.CharField(
        label=_("Reason to open anyway"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the conflict check finds possible conflicts. It is kept with the check."),
    )

    field_order = ["client", "title"]

    def __init__(self, *args, clients, conflicts_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", _("Choose a client"))] + [(str(c.pk), c.name) for c in clients]
        if conflicts_url:
            self.fields["client"].widget.attrs.update(_live_check(conflicts_url, "change"))


def _live_check(url: str, trigger: str) -> dict:
    """htmx attributes that re-run the conflict check with everything the form holds."""
    return {
        "hx-get": url,
        "hx-trigger": trigger,
        "hx-include": "closest form",
        "hx-target": "#conflict-hits",
        "hx-swap": "outerHTML",
        "hx-sync": "closest form:replace",
    }


class PartyRowForm(forms.Form):
    """One row of the new-matter form's parties: a name and a role; an empty row is ignored."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Party.Role.choices, initial=Party.Role.ADVERSE)

    def __init__(self, *args, conflicts_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "class": "conflict-name"})
        if conflicts_url:
            self.fields["name"].widget.attrs.update(_live_check(conflicts_url, "input changed delay:400ms"))


PARTY_ROWS_MAX = 100
PartyRowFormSet = forms.formset_factory(PartyRowForm, extra=3, max_num=PARTY_ROWS_MAX, absolute_max=PARTY_ROWS_MAX)


class PartyRowAddForm(forms.Form):
    """What "Add another party" sends: the form's row count, which is the index of the row to add."""

    TOTAL_FORMS = forms.IntegerField(min_value=0, max_value=PARTY_ROWS_MAX - 1)

    def __init__(self, data, **kwargs):
        super().__init__(data, prefix="parties", **kwargs)

    def row(self, *, conflicts_url=None) -> PartyRowForm:
        """The next empty row, named as the formset names it, with the focus on its name."""
        index = self.cleaned_data["TOTAL_FORMS"]
        form = PartyRowForm(prefix=f"parties-{index}", conflicts_url=conflicts_url, use_required_attribute=False)
        form.fields["name"].widget.attrs["autofocus"] = True
        return form


def party_rows(formset) -> list[dict]:
    return [
        {"name": form.cleaned_data["name"], "role": form.cleaned_data["role"]}
        for form in formset.forms
        if form.cleaned_data.get("name", "").strip()
    ]


class ConflictPreviewForm(forms.Form):
    """What the live conflict check reads from the new-matter form: the client and the party names."""

    client = forms.UUIDField(required=False)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.names = []
        total = min(_int(data.get("parties-TOTAL_FORMS")), 100)
        for i in range(total):
            name = (data.get(f"parties-{i}-name") or "").strip()[:200]
            if name and name not in self.names:
                self.names.append(name)


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


class StatusChangeForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=Party.Role.choices, initial=Party.Role.ADVERSE)
    organization = forms.CharField(label=_("Organization"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, party: Party | None = None, **kwargs):
        if party is not None:
            kwargs.setdefault("initial", {name: getattr(party, name) for name in self.base_fields})
            kwargs.setdefault("prefix", f"party-{party.pk}")
        super().__init__(*args, **kwargs)


class ConflictSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name to check"),
        max_length=200,
        widget=forms.TextInput(attrs={**SEARCH_ATTRS, "autofocus": True}),
    )
