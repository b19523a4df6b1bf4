from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_thai_phone, validate_thai_phone
from core.dates import BEDateField
from core.forms import Form
from readiness.models import (
    MAX_CARD_READERS,
    MAX_SERVICE_POINTS,
    LimitationOption,
    SurveyResponse,
)


def _label(name: str):
    return SurveyResponse._meta.get_field(name).verbose_name


class GroupRadioSelect(forms.RadioSelect):
    """Radios in a fieldset: the error summary links to the first choice."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class GroupCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


def _count_field(name: str, *, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=_label(name),
        required=False,
        min_value=0,
        max_value=maximum,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": maximum}),
        error_messages={
            "invalid": _("Enter a whole number, for example 12."),
            "min_value": _("The number cannot be negative."),
            "max_value": _("That number is too large: at most %(limit_value)s."),
        },
    )


def _date_field(name: str) -> BEDateField:
    return BEDateField(
        label=_label(name),
        required=False,
        help_text=_("Day/month/year in the Buddhist Era, for example 31/12/2569."),
    )


class SurveyForm(Form):
    """The whole survey but the process table (its rows are posted as row-<pk>-id / -house).

    On "save draft" only wrong values are refused; on "submit" every required answer must
    be given too. Both use the model's own rules so the form and the service agree.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    respondent_first_name = forms.CharField(
        label=_label("respondent_first_name"), max_length=150, required=False
    )
    respondent_last_name = forms.CharField(
        label=_label("respondent_last_name"), max_length=150, required=False
    )
    respondent_email = forms.EmailField(
        label=_label("respondent_email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    respondent_phone = forms.CharField(
        label=_label("respondent_phone"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    q1_system = forms.ChoiceField(
        label=_label("q1_system"),
        required=False,
        choices=SurveyResponse.InfoSystem.choices,
        widget=GroupRadioSelect,
    )
    q1_expected_on = _date_field("q1_expected_on")
    q2_channels = forms.MultipleChoiceField(
        label=_label("q2_channels"),
        required=False,
        choices=SurveyResponse.Channel.choices,
        widget=GroupCheckboxSelectMultiple,
    )
    q2_other = forms.CharField(label=_label("q2_other"), max_length=255, required=False)
    q3_service_points = _count_field("q3_service_points", maximum=MAX_SERVICE_POINTS)
    q4_plan = forms.ChoiceField(
        label=_label("q4_plan"),
        required=False,
        choices=SurveyResponse.Plan.choices,
        widget=GroupRadioSelect,
    )
    q4_expected_on = _date_field("q4_expected_on")
    q4_reason = forms.CharField(
        label=_label("q4_reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    q5_mou = forms.ChoiceField(
        label=_label("q5_mou"),
        required=False,
        choices=SurveyResponse.Mou.choices,
        widget=GroupRadioSelect,
    )
    q6_linkage = forms.ChoiceField(
        label=_label("q6_linkage"),
        required=False,
        choices=SurveyResponse.Linkage.choices,
        widget=GroupRadioSelect,
    )
    q6_expected_on = _date_field("q6_expected_on")
    q7_readers = forms.ChoiceField(
        label=_label("q7_readers"),
        required=False,
        choices=SurveyResponse.Readers.choices,
        widget=GroupRadioSelect,
    )
    q7_readers_owned = _count_field("q7_readers_owned", maximum=MAX_CARD_READERS)
    q7_readers_needed = _count_field("q7_readers_needed", maximum=MAX_CARD_READERS)
    q8_limitations = forms.ChoiceField(
        label=_label("q8_limitations"),
        required=False,
        choices=SurveyResponse.Limitations.choices,
        widget=GroupRadioSelect,
    )
    q8_options = forms.ModelMultipleChoiceField(
        label=_label("q8_options"),
        required=False,
        queryset=LimitationOption.objects.none(),
        widget=GroupCheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_label("comment"),
        required=False,
        help_text=_("At most 500 characters."),
        widget=forms.Textarea(attrs={"rows": 5, "data-max-characters": "500"}),
    )

    def __init__(
        self, *args, submitting: bool = False, chosen_options=(), round=None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        chosen = [o.pk for o in chosen_options]
        # The round's own options (a round keeps the options it was answered with).
        offered = (
            LimitationOption.objects.filter(rounds=round)
            if round is not None
            else LimitationOption.objects.filter(is_active=True)
        )
        self.fields["q8_options"].queryset = (
            offered | LimitationOption.objects.filter(pk__in=chosen)
        ).distinct()
        self.fields["q8_options"].label_from_instance = str

    def answers(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("revision", "q8_options")}
        data["q2_channels"] = list(data.get("q2_channels") or [])
        for name in ("respondent_first_name", "respondent_last_name", "q2_other", "q4_reason"):
            data[name] = (data.get(name) or "").strip()
        return data

    def clean_respondent_phone(self):

        value = self.cleaned_data.get("respondent_phone", "").strip()
        if value:
            validate_thai_phone(value)
            return normalize_thai_phone(value)
        return value

    def clean(self):
        cleaned = super().clean()
        probe = SurveyResponse(status=SurveyResponse.Status.DRAFT)
        answers = self.answers()
        for name, value in answers.items():
            if name not in self.errors:
                setattr(probe, name, value)
        probe.clear_unchosen_conditionals()
        try:
            probe.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        if self.submitting:
            options = cleaned.get("q8_options") or []
            for name, message in probe.missing_answers(limitation_count=len(options)).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class RowSearchForm(Form):
    q = forms.CharField(label=_("Search processes"), required=False, max_length=100)
