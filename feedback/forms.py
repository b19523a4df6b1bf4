import re
import uuid

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from core.phone import ThaiPhoneField
from core.text import text_is_clean
from feedback.models import COMMENT_MAX_LENGTH
from feedback.services import normalize_comment

OTHER = "other"
SCORE_CHOICES = [
    (5, _("5 – Very satisfied")),
    (4, _("4 – Satisfied")),
    (3, _("3 – Neither satisfied nor dissatisfied")),
    (2, _("2 – Dissatisfied")),
    (1, _("1 – Very dissatisfied")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _service_name(service) -> str:
    """The service's English title in the English view, when the Manual has one."""
    english = (translation.get_language() or "th").startswith("en")
    return (english and getattr(service, "name_en", "")) or service.name_th


class RadioSelect(forms.RadioSelect):
    """Radios whose field "label" is the first choice, so the error summary's link lands.

    Keeps the class name: the form template picks the fieldset layout by widget type."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


def score_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=RadioSelect,
        error_messages={"invalid_choice": _("Choose a score from 1 to 5.")},
    )


class ResponseForm(Form):
    service = forms.ChoiceField(
        label=_("Which service did you receive?"),
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    service_other = forms.CharField(
        label=_("If other: which service?"), required=False, max_length=200
    )
    overall = score_field(_("Overall, how satisfied are you with the service?"))
    process = score_field(_("Process and steps"))
    staff = score_field(_("Staff"))
    facilities = score_field(_("Facilities"))
    outcome = score_field(_("Quality of the outcome"))
    asked_for_copy = forms.TypedChoiceField(
        label=_("Were you asked for a copy of your ID card or house registration?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        help_text=_(
            "At most 1,000 characters. Do not write your ID number or phone number "
            "here; they are hidden before anyone reads the comment."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=200)
    contact_email = forms.EmailField(
        label=_("Email, if you would like a reply (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = ThaiPhoneField(
        label=_("Phone, if you would like a call back (optional)"), required=False
    )
    # Filled in by the phone (core/app.js); the same answer sent twice is stored once.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, services=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.pk): s for s in services}
        self.fields["service"].choices = [
            ("", _("Choose a service")),
            *[(key, _service_name(s)) for key, s in self.services.items()],
            (OTHER, _("Other")),
        ]

    def clean_comment(self) -> str:
        comment = normalize_comment(self.cleaned_data.get("comment", ""))
        if len(comment) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                _("Write at most %(max)s characters (you wrote %(n)s).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(comment)}
            )
        return comment

    def clean(self):
        data = super().clean()
        choice = data.get("service")
        data["service_obj"] = self.services.get(choice) if choice and choice != OTHER else None
        if choice != OTHER:
            data["service_other"] = ""
        return data


_SCORES = {str(value): value for value, _label in SCORE_CHOICES}
_YES_NO = {"yes": True, "no": False}
_TEXTS = {"service_other": 200, "comment": None, "contact_name": 200}


def response_quick_clean(data, *, services) -> dict | None:
    """The usual answer (no email or phone given), checked without building the form.

    Building `ResponseForm` costs more than storing the answer, and citizens send thousands
    a second at peak (ADR 0044). None means "let the form decide": anything unusual, wrong
    or incomplete goes through `ResponseForm`, which also shows the errors. Otherwise the
    result equals the form's `cleaned_data` for the same data (a hypothesis test holds this).
    """
    get = data.get
    choice = get("service")
    service = None
    if choice != OTHER:
        service = next((s for s in services if str(s.pk) == choice), None)
        if service is None:
            return None
    cleaned: dict = {"service": choice, "service_obj": service}
    for name in ("overall", "process", "staff", "facilities", "outcome"):
        value = _SCORES.get(get(name))
        if value is None:
            return None
        cleaned[name] = value
    copy = _YES_NO.get(get("asked_for_copy"))
    if copy is None or get("contact_email") or get("contact_phone"):
        return None
    cleaned.update(asked_for_copy=copy, contact_email="", contact_phone="")
    for name, longest in _TEXTS.items():
        value = (get(name) or "").strip()
        if (longest is not None and len(value) > longest) or not text_is_clean(
            value, multiline=name == "comment"
        ):
            return None  # the form's core.text.clean_text decides
        cleaned[name] = value
    submission = _submission(get("submission"))
    if submission is False:
        return None
    cleaned["submission"] = submission
    cleaned["comment"] = normalize_comment(cleaned["comment"])
    if len(cleaned["comment"]) > COMMENT_MAX_LENGTH:
        return None
    if choice != OTHER:
        cleaned["service_other"] = ""
    return cleaned


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _submission(value) -> uuid.UUID | None | bool:
    """The phone's id as the form's UUIDField cleans it; False: unusual, the form decides."""
    if not value:
        return None
    if not isinstance(value, str) or not _CANONICAL_UUID.fullmatch(value):
        return False
    return uuid.UUID(value)


class ReplyForm(Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 3000}),
        help_text=_("It is emailed to the citizen from the portal's address."),
    )
