from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_thai_phone
from agencies.models import Agency, AgencyRequest
from core.forms import Form, ModelForm


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return " › ".join(a.name_th for a in obj.lineage())


def parent_choices():
    return (
        Agency.objects.filter(
            status=Agency.Status.ACTIVE,
            kind__in=[Agency.Kind.MINISTRY, Agency.Kind.INDEPENDENT, Agency.Kind.DEPARTMENT],
        )
        .select_related("parent")
        .order_by("ministry__name_th", "kind", "name_th")
    )


class AgencyRequestForm(ModelForm):
    parent = ParentChoiceField(
        queryset=parent_choices(),
        required=False,
        label=_("Part of"),
        help_text=_("The ministry or department it belongs to, if listed."),
    )
    requester_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        validators=[validate_thai_phone],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    class Meta:
        model = AgencyRequest
        fields = [
            "name_th",
            "name_en",
            "parent",
            "requester_name",
            "requester_email",
            "requester_phone",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parent_choices()


class AgencyRequestApproveForm(Form):
    code = forms.CharField(
        label=_("New agency code"),
        max_length=32,
        help_text=_("Ours, permanent: lowercase English letters, digits, hyphens."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
    parent = ParentChoiceField(queryset=parent_choices(), required=False, label=_("Part of"))
    name_th = forms.CharField(label=_("Name in Thai"), max_length=255)
    name_en = forms.CharField(label=_("Name in English"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parent_choices()


class AgencyRequestRejectForm(Form):
    review_note = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
