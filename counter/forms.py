from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from counter.gdx import DOCUMENT_TYPES
from counter.models import ServicePath, VerificationRecord
from idcard.decode import cid_check_digit


def _check_citizen_id(value: str) -> None:

    if not (len(value) == 13 and value.isdigit()) or cid_check_digit(value[:12]) != int(value[12]):
        raise ValidationError(_("Enter a valid 13-digit ID (the last digit is a check digit)."))


class ServiceChoiceForm(Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, empty_label=None)
    point = forms.ModelChoiceField(label=_("Service point"), queryset=None, required=False)

    def __init__(self, *args, services, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["point"].queryset = points
        self.fields["service"].label_from_instance = lambda s: s.name_th
        self.fields["point"].label_from_instance = lambda p: p.name_th


class RecordForm(Form):
    source = forms.ChoiceField(
        label=_("How the identity was checked"),
        choices=VerificationRecord.Source.choices,
        widget=forms.RadioSelect,
    )
    citizen_id = forms.CharField(
        label=_("Citizen ID (13 digits)"),
        max_length=13,
        validators=[_check_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name_th = forms.CharField(label=_("Name in Thai"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    birth_date = forms.CharField(label=_("Date of birth"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=400, required=False)
    house_members = forms.CharField(
        label=_("House registration members"), max_length=1000, required=False
    )
    juristic = forms.CharField(label=_("Juristic person"), max_length=400, required=False)
    fields_used = forms.MultipleChoiceField(
        label=_("Fields this service used"),
        choices=VerificationRecord.Field.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these go into the record's hash; keep only what the service needs."),
    )
    consent = forms.BooleanField(
        label=_("The citizen is here and agreed that their data be used for this service"),
        required=False,
    )
    card_expired = forms.BooleanField(required=False, widget=forms.HiddenInput)
    gdx_ticket = forms.CharField(required=False, max_length=600, widget=forms.HiddenInput)

    VALUE_FIELDS = (
        "citizen_id",
        "name_th",
        "name_en",
        "birth_date",
        "address",
        "house_members",
        "juristic",
    )

    def values(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f) or "" for f in self.VALUE_FIELDS}

    def clean(self):
        data = super().clean()
        if data.get("source") == VerificationRecord.Source.GDX and not data.get("gdx_ticket"):
            self.add_error(
                "source", _("Ask the registry through GDX first, or choose another source.")
            )
        return data


class GdxLookupForm(Form):
    document_type = forms.ChoiceField(label=_("Document"), choices=list(DOCUMENT_TYPES.items()))
    citizen_id = forms.CharField(
        label=_("Citizen or juristic person ID"), max_length=13, validators=[_check_citizen_id]
    )
    service = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("The citizen is here and agreed that the registry be asked"),
        error_messages={"required": _("Confirm that the citizen is here and agreed.")},
    )


class PathForm(Form):
    path = forms.ChoiceField(label=_("Way of checking"), choices=ServicePath.Path.choices)
    gdx_purpose = forms.CharField(label=_("GDX purpose"), max_length=200, required=False)


class VoidForm(Form):
    reason = forms.CharField(label=_("Why is this record voided?"), max_length=300)


class CheckForm(Form):
    """The data a record was made from, typed again: does its keyed hash match?"""

    def __init__(self, *args, fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(VerificationRecord.Field.choices)
        for name in fields:
            self.fields[name] = forms.CharField(label=labels.get(name, name), max_length=1000)
