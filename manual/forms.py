from django import forms
from django.db import models
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import Form, ModelForm
from manual.fields import (
    CHANNEL_FIELDS,
    DOCUMENT_FIELDS,
    FEE_FIELDS,
    SERVICE_FIELDS,
    STEP_FIELDS,
)
from manual.models import RequiredDocument, Service, ServiceChannel, ServiceFee, ServiceStep
from manual.provinces import province_choices
from service_points.models import ServicePoint


class ServiceForm(ModelForm):
    class Meta:
        model = Service
        fields = list(SERVICE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "complaint_channels": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class StepForm(ModelForm):
    class Meta:
        model = ServiceStep
        fields = list(STEP_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class DocumentForm(ModelForm):
    class Meta:
        model = RequiredDocument
        fields = list(DOCUMENT_FIELDS)


class FeeForm(ModelForm):
    class Meta:
        model = ServiceFee
        fields = list(FEE_FIELDS)


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ChannelForm(ModelForm):
    class Meta:
        model = ServiceChannel
        fields = list(CHANNEL_FIELDS)
        formfield_callback = _https_urls

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"] = forms.ChoiceField(
            label=_("province"),
            required=False,
            choices=[("", _("Anywhere (no particular province)")), *province_choices()],
            help_text=ServiceChannel._meta.get_field("province").help_text,
        )


def _formset(form_class):
    return formset_factory(
        form_class, extra=0, can_order=True, can_delete=True, max_num=50, validate_max=True
    )


FORMSETS = {
    # prefix: (formset class, legend, add-button label)
    "steps": (_formset(StepForm), _("Steps"), _("Add a step")),
    "documents": (_formset(DocumentForm), _("Documents to bring"), _("Add a document")),
    "fees": (_formset(FeeForm), _("Fees"), _("Add a fee")),
    "channels": (_formset(ChannelForm), _("Where and how to apply"), _("Add a channel")),
}


class SampleFormUploadForm(Form):
    title = forms.CharField(label=_("title"), max_length=300)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, Word (.docx) or Excel (.xlsx), at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )


class OfferedAtForm(Form):
    """Which of the agency's own service points offer a service."""

    points = forms.ModelMultipleChoiceField(
        label=_("Service points that offer this service"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your agency's pinned points are listed. Archived points are not."),
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)

        field = self.fields["points"]
        field.queryset = (
            ServicePoint.objects.filter(agency=agency)
            .exclude(status=ServicePoint.Status.ARCHIVED)
            .order_by("name_th")
        )
        field.label_from_instance = lambda point: f"{point.name_th} ({point.get_status_display()})"


class ImportForm(Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("A .json or .csv file in the format described on this page, at most 2 MB."),
    )


class SearchForm(Form):
    q = forms.CharField(
        label=_("Search for a service"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    agency = forms.ChoiceField(label=_("agency"), required=False)
    category = forms.ChoiceField(label=_("category"), required=False)
    province = forms.ChoiceField(label=_("province"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [
            ("", _("All agencies")),
            *[(a.code, a.name_th) for a in agencies],
        ]
        self.fields["category"].choices = [("", _("All categories")), *Service.Category.choices]
        self.fields["province"].choices = [("", _("All provinces")), *province_choices()]
