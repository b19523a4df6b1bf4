from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.dates import BEDateField
from core.forms import Form, ModelForm
from progress import sources
from readiness.models import LimitationOption, SurveyRound
from readiness.services import limitation_options_default

DATE_HELP = _("Day/month/year, for example 30/11/2569.")


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes in the shared template's fieldset (it goes by this class name); the error
    summary links to the first box."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class RoundForm(ModelForm):
    """Create, schedule or extend a round: the dates go through the one BE date field; question
    8's options are the round's own (a new round starts with the latest round's)."""

    opens_on = BEDateField(label=_("Opens on"), help_text=DATE_HELP)
    closes_on = BEDateField(label=_("Closes on"), help_text=DATE_HELP)
    limitation_options = forms.ModelMultipleChoiceField(
        label=_("Question 8's options in this round"),
        queryset=LimitationOption.objects.none(),
        widget=CheckboxSelectMultiple,
        help_text=_(
            "Agencies answering this round may tick only these. An option an answer chose "
            "stays with the round."
        ),
    )

    class Meta:
        model = SurveyRound
        fields = ["name_th", "name_en", "opens_on", "closes_on"]

    def __init__(self, *args, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        field = self.fields["limitation_options"]
        if self.instance.pk:
            current = list(self.instance.limitation_options.all())
        else:
            current = limitation_options_default()
        field.queryset = (  # type: ignore[attr-defined]
            LimitationOption.objects.filter(is_active=True)
            | LimitationOption.objects.filter(pk__in=[o.pk for o in current])
        ).distinct()
        field.label_from_instance = str  # type: ignore[attr-defined]
        field.error_messages["required"] = _("Choose at least one option for question 8.")
        self.initial.setdefault("limitation_options", [o.pk for o in current])


class ConfirmForm(Form):
    confirm = forms.BooleanField(label=_("I have checked the list above."))


class AuditSearchForm(Form):
    actor = forms.CharField(label=_("Who (email)"), required=False, max_length=254)
    agency = forms.CharField(label=_("Agency (code or name)"), required=False, max_length=255)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("Part of the action's name, for example gdx.key or readiness."),
    )
    date_from = BEDateField(label=_("From"), required=False, help_text=DATE_HELP)
    date_to = BEDateField(label=_("To"), required=False)


def _ministries():

    return Agency.objects.filter(
        kind__in=[Agency.Kind.MINISTRY, Agency.Kind.INDEPENDENT], status=Agency.Status.ACTIVE
    ).order_by("name_th")


def _province_choices():

    return [("", _("Every province"))] + sorted(
        sources.province_names().items(), key=lambda item: item[1]
    )


class FollowUpForm(Form):
    gap = forms.ChoiceField(
        label=_("Show agencies"),
        required=False,
        choices=[
            ("", _("Every agency")),
            ("not_registered", _("Not registered")),
            ("not_pinned", _("No service point pinned")),
            ("not_surveyed", _("Not surveyed in the current round")),
            ("not_copy_free", _("Still asking for copies")),
        ],
    )
    ministry = forms.ModelChoiceField(
        label=_("Ministry"), required=False, queryset=None, empty_label=_("Every ministry")
    )
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ministry"].queryset = _ministries()  # type: ignore[attr-defined]
        self.fields["province"].choices = _province_choices()  # type: ignore[attr-defined]


class LimitationOptionForm(ModelForm):
    class Meta:
        model = LimitationOption
        fields = ["letter", "text_th", "text_en", "position", "is_active"]


def _agency_by_code(code: str, *, field: str):

    code = code.strip().lower()
    if not code:
        return None
    agency = Agency.objects.filter(code=code, status=Agency.Status.ACTIVE).first()
    if agency is None:
        raise forms.ValidationError(
            _("No active agency has the code %(code)s."), params={"code": code}
        )
    return agency


class AgencyForm(Form):
    """Adding an agency (with code and kind) or renaming / moving one (code fixed)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Lowercase letters, digits and hyphens; it never changes afterwards."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    name_th = forms.CharField(label=_("Name in Thai"), max_length=255)
    name_en = forms.CharField(label=_("Name in English"), max_length=255, required=False)
    abbreviation = forms.CharField(label=_("Abbreviation"), max_length=32, required=False)
    parent = forms.CharField(
        label=_("Part of (agency code)"),
        max_length=32,
        required=False,
        help_text=_("Empty for a ministry or an agency outside any ministry."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Agency.Kind.choices  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]
            del self.fields["kind"]

    def clean_parent(self):
        return _agency_by_code(self.cleaned_data.get("parent") or "", field="parent")


class SearchForm(Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)


class ImportForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: code, kind, parent_code, name_th, name_en, abbreviation, gfmis_code, "
            "tax_id. Any wrong row: nothing is written and every error is listed."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8.")) from None
        if "\x00" in text:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8."))
        return text


class ActivityScheduleForm(Form):
    """Moves one activity of a phase's schedule (progress.services.activity_reschedule)."""

    starts_on = BEDateField(label=_("Starts on"), help_text=DATE_HELP)
    ends_on = BEDateField(label=_("Ends on"))
