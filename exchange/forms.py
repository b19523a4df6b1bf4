from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.dates import BEDateEndField
from core.forms import Form
from exchange.models import DocumentType, MemberKey
from gdx_protocol.encoding import b64d
from gdx_protocol.errors import GdxError


class ReasonForm(Form):
    """Revoking a key: a reason (kept in the history) and an explicit confirmation."""

    reason = forms.CharField(label=_("Reason"), max_length=200)
    confirm = forms.BooleanField(
        label=_("I confirm: the hub refuses this key from now on, and it cannot be added again.")
    )


class KeyAddForm(Form):
    use = forms.ChoiceField(label=_("Use"), choices=MemberKey.Use.choices)
    algorithm = forms.ChoiceField(
        label=_("Algorithm"),
        choices=[
            ("ed25519", "Ed25519"),
            ("ml-dsa-65", "ML-DSA-65"),
            ("mlkem768x25519", "ML-KEM-768 + X25519"),
            ("x25519", "X25519"),
        ],
    )
    public_key = forms.CharField(
        label=_("Public key"),
        help_text=_("The “pub” value printed by `python -m agency_node keygen` (base64url)."),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_until = BEDateEndField(
        label=_("Valid until"),
        required=False,
        help_text=_("The last day it may be used: day/month/year, for example 31/12/2569."),
    )

    def clean_public_key(self) -> bytes:

        try:
            return b64d(self.cleaned_data["public_key"].strip(), field="pub", max_len=4096)
        except GdxError:
            raise forms.ValidationError(_("This is not a base64url public key.")) from None


class RightGrantForm(Form):
    document_type = forms.ModelChoiceField(
        label=_("Document type"), queryset=DocumentType.objects.filter(status="active")
    )
    purpose = forms.CharField(label=_("Declared purpose"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=256, required=False)
    valid_until = BEDateEndField(
        label=_("Valid until"),
        required=False,
        help_text=_("The last day it may be used: day/month/year, for example 31/12/2569."),
    )


class DemoExchangeForm(Form):
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=[
            ("person_record", _("Person record (ID card)")),
            ("house_registration", _("House registration")),
        ],
    )
    citizen_id = forms.RegexField(
        label=_("Citizen ID"),
        regex=r"^\d{13}$",
        error_messages={"invalid": _("Enter the 13-digit citizen ID.")},
        max_length=13,
    )
    purpose = forms.CharField(label=_("Declared purpose"), max_length=200)


ALGORITHMS = {
    MemberKey.Use.SIGNING: [("ed25519", "Ed25519"), ("ml-dsa-65", "ML-DSA-65")],
    MemberKey.Use.ENCRYPTION: [("mlkem768x25519", "ML-KEM-768 + X25519"), ("x25519", "X25519")],
}


def _public_key(value: str) -> bytes:

    try:
        return b64d(value.strip(), field="pub", max_len=4096)
    except GdxError:
        raise forms.ValidationError(_("This is not a base64url public key.")) from None


class MemberAddForm(Form):
    """A new hub member with its signing and encryption keys, in one step."""

    agency = forms.CharField(
        label=_("Agency code"),
        max_length=32,
        help_text=_("The agency's code in the directory, for example dopa-bora."),
    )
    endpoint = forms.URLField(
        label=_("Node address"),
        required=False,
        help_text=_("Base URL of the agency node that answers requests; empty for consumers."),
    )
    sig_algorithm = forms.ChoiceField(
        label=_("Signing key algorithm"), choices=ALGORITHMS[MemberKey.Use.SIGNING]
    )
    sig_public_key = forms.CharField(
        label=_("Signing public key"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The “pub” value printed by `python -m agency_node keygen` (base64url)."),
    )
    enc_algorithm = forms.ChoiceField(
        label=_("Encryption key algorithm"), choices=ALGORITHMS[MemberKey.Use.ENCRYPTION]
    )
    enc_public_key = forms.CharField(
        label=_("Encryption public key"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_agency(self):

        agency = Agency.objects.filter(
            code=self.cleaned_data["agency"].strip().lower(), status=Agency.Status.ACTIVE
        ).first()
        if agency is None:
            raise forms.ValidationError(_("No active agency has this code."))
        return agency

    def clean_sig_public_key(self) -> bytes:
        return _public_key(self.cleaned_data["sig_public_key"])

    def clean_enc_public_key(self) -> bytes:
        return _public_key(self.cleaned_data["enc_public_key"])
