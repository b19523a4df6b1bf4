from django import forms
from django.utils.translation import gettext_lazy as _

from citizens.models import CitizenContact
from core.forms import Form


class ContactForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CitizenContact.Kind.choices, widget=forms.RadioSelect
    )
    value = forms.CharField(
        label=_("Email or phone you gave with a complaint or an answer"), max_length=254
    )


class CodeForm(Form):
    code = forms.RegexField(
        label=_("Confirmation code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ConsentForm(Form):
    email = forms.ChoiceField(label=_("Send notifications to"))

    def __init__(self, *args, emails: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].choices = [(e, e) for e in emails]


class LineLinkForm(Form):
    """The link token LINE gave the chat (LINE's account link): passed on, never stored."""

    linkToken = forms.RegexField(  # noqa: N815 - LINE's own parameter name
        regex=r"^[A-Za-z0-9_.~-]{8,128}$",
        max_length=128,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Open this page from the button in the LINE chat."),
            "invalid": _("This link is not valid. Tap “Link to My space” in LINE again."),
        },
    )
