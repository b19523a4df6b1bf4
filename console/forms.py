from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import BEDateField
from core.forms import Form, ModelForm
from readiness.models import SurveyRound

DATE_HELP = _("Day/month/year, for example 30/11/2569.")


class RoundForm(ModelForm):
    """Create, schedule or extend a round: the dates go through the one BE date field."""

    opens_on = BEDateField(label=_("Opens on"), help_text=DATE_HELP)
    closes_on = BEDateField(label=_("Closes on"), help_text=DATE_HELP)

    class Meta:
        model = SurveyRound
        fields = ["name_th", "name_en", "opens_on", "closes_on"]


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
