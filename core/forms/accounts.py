"""The firm sign-up form: allauth's account fields plus the firm's name and province."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Province


class FirmSignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    firm_name = forms.CharField(label=_("Firm name"), max_length=200)
    province = forms.ChoiceField(label=_("Province or territory"), choices=[("", _("Choose…")), *Province.choices])

    def signup(self, request, user):
        """Called by allauth once the user is saved: the firm is created by the adapter's save_user."""
