import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.dates import BEDateEndField
from core.forms import Form
from exchange.models import DocumentType, MemberKey, public_key_misfit
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


MAX_CERTIFICATES_BYTES = 64 * 1024
_NOT_CERTIFICATES = _(
    "This is not the certificates.json that `python -m agency_node certify` writes."
)


def _certificates_from(text: str | None, upload: Any) -> dict[str, Any] | None:
    """The certify output, pasted or uploaded (one of the two); None when neither was given.
    Read by content, whatever the file is called: JSON text of at most 64 KiB."""
    if upload is not None:
        if text:
            raise forms.ValidationError(_("Paste the certificates or upload the file, not both."))
        raw = upload.read(MAX_CERTIFICATES_BYTES + 1)
        if len(raw) > MAX_CERTIFICATES_BYTES:
            raise forms.ValidationError(_("The certificates file is larger than 64 KiB."))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_NOT_CERTIFICATES) from None
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not {"member_id", "identity", "keys"} <= doc.keys():
        raise forms.ValidationError(_NOT_CERTIFICATES)
    return doc


class CertificatesForm(Form):
    """The output of ``python -m agency_node certify``, pasted or uploaded."""

    certificates = forms.CharField(
        label=_("Certificates (certificates.json)"),
        required=False,
        max_length=MAX_CERTIFICATES_BYTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What `python -m agency_node certify` wrote: the agency's identity key and the "
            "node keys it certified. Paste it here or upload the file below."
        ),
    )
    certificates_file = forms.FileField(label=_("Or upload certificates.json"), required=False)
    certificates_required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        try:
            certs = _certificates_from(data.get("certificates"), data.get("certificates_file"))
        except forms.ValidationError as error:
            self.add_error("certificates", error)
            return data
        if certs is None and self.certificates_required:
            self.add_error("certificates", _("Paste the certificates or upload the file."))
        data["certificates"] = certs
        data.pop("certificates_file", None)
        return data


class MemberAddForm(CertificatesForm):
    """A new hub member with its keys, in one step: certified by the agency's identity key
    (the certify output, ADR 0006), or, for an agency without one yet, the two bare keys."""

    certificates_required = False

    agency = forms.CharField(
        label=_("Agency code"),
        max_length=32,
        help_text=_("The agency's code in the directory, for example dopa-bora."),
    )
    endpoint = forms.URLField(
        label=_("Node address"),
        assume_scheme="https",
        required=False,
        help_text=_("Base URL of the agency node that answers requests; empty for consumers."),
    )
    sig_algorithm = forms.ChoiceField(
        label=_("Signing key algorithm"), choices=ALGORITHMS[MemberKey.Use.SIGNING], required=False
    )
    sig_public_key = forms.CharField(
        label=_("Signing public key"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The “pub” value printed by `python -m agency_node keygen` (base64url)."),
    )
    enc_algorithm = forms.ChoiceField(
        label=_("Encryption key algorithm"),
        choices=ALGORITHMS[MemberKey.Use.ENCRYPTION],
        required=False,
    )
    enc_public_key = forms.CharField(
        label=_("Encryption public key"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The “pub” value printed by `python -m agency_node keygen` (base64url)."),
    )
    field_order = [
        "agency",
        "endpoint",
        "certificates",
        "certificates_file",
        "sig_algorithm",
        "sig_public_key",
        "enc_algorithm",
        "enc_public_key",
    ]

    def clean_agency(self):

        agency = Agency.objects.filter(
            code=self.cleaned_data["agency"].strip().lower(), status=Agency.Status.ACTIVE
        ).first()
        if agency is None:
            raise forms.ValidationError(_("No active agency has this code."))
        return agency

    def clean_sig_public_key(self) -> bytes:
        value = self.cleaned_data["sig_public_key"]
        return _public_key(value) if value.strip() else b""

    def clean_enc_public_key(self) -> bytes:
        value = self.cleaned_data["enc_public_key"]
        return _public_key(value) if value.strip() else b""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        bare = [
            name for name in ("sig_public_key", "enc_public_key") if self.data.get(name, "").strip()
        ]
        if data.get("certificates"):
            if bare:
                self.add_error(
                    bare[0], _("Give either the certificates or the two keys, not both.")
                )
            return data
        if self.has_error("certificates"):
            return data
        for prefix in ("sig", "enc"):
            name = f"{prefix}_public_key"
            if name not in bare:
                self.add_error(name, _("Give this key, or the agency's certificates above."))
            elif not data.get(f"{prefix}_algorithm"):
                self.add_error(f"{prefix}_algorithm", _("Choose the key's algorithm."))
            elif data.get(name):
                misfit = public_key_misfit(data.get(f"{prefix}_algorithm", ""), data[name])
                if misfit:
                    self.add_error(name, misfit)
        if data.get("sig_public_key") and data.get("sig_public_key") == data.get("enc_public_key"):
            self.add_error(
                "enc_public_key", _("The same key was given for signing and for encryption.")
            )
        return data
