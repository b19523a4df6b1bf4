import math
import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from complaints import selectors
from complaints.models import DESCRIPTION_MAX_LENGTH, MAX_PHOTOS, Category, Complaint
from core.forms import Form
from core.text import text_is_clean
from manual.models import Service
from service_points.divisions import province_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS})
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


def category_label(category: Category) -> str:
    """The category's name in the reader's language (Thai when it has no English name)."""
    if (get_language() or "th").startswith("en") and category.name_en:
        return category.name_en
    return category.name_th


class OfferedCategoryField(forms.ModelChoiceField):
    """A category among those offered, looked up in the process's copy that the list shows
    and the quick path checks against (the filing statement re-checks the database)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            found = selectors.categories_offered().get(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return found


class ComplaintForm(Form):
    category = OfferedCategoryField(
        label=_("What is it about?"), queryset=Category.objects.none(), empty_label=None
    )
    service = forms.ModelChoiceField(
        label=_("Which service (if it is about a service)"),
        queryset=Service.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX_LENGTH}),
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_(
            "At most 2,000 characters. Do not write ID numbers or phone numbers here: "
            "this text is public (numbers are hidden)."
        ),
    )
    photos = MultiplePhotoField(
        label=_("Photos (up to 4)"),
        required=False,
        help_text=_(
            "Location data is removed from photos. If you do not pin a place, "
            "the place where the photo was taken is used."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    name_public = forms.BooleanField(label=_("Show my name in public"), required=False)
    reporter_email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Without an email you get no updates; keep the private link instead."),
    )
    reporter_phone = forms.RegexField(
        label=_("Phone (optional)"),
        regex=r"^\+?[0-9 -]{9,15}$",
        required=False,
        error_messages={"invalid": _("Enter a phone number of 9 to 10 digits.")},
    )

    def __init__(self, *args, point=None, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.queryset = Category.objects.filter(is_active=True)
        # The list comes from the process's copy of the offered categories: the queryset was
        # read three times per page (options, the `required` check, validation), on every
        # page that offers nearby complaints instead of filing (issue 12).
        category.choices = [
            (pk, category_label(offered)) for pk, offered in selectors.categories_offered().items()
        ]
        if point is not None:
            del self.fields["latitude"], self.fields["longitude"]
            self.fields["service"].queryset = Service.objects.filter(
                status=Service.Status.PUBLISHED, agency_id=point.agency_id
            ).order_by("name_th")
        else:
            # The whole Manual (up to millions of processes) makes no select: a service is
            # chosen from its point's page, where the list is that agency's services.
            del self.fields["service"]


_PHONE = re.compile(r"^\+?[0-9 -]{9,15}$")  # the form's RegexField
_CRLF = re.compile(r"\r\n?|[\u2028\u2029]")  # core.text folds these to a line feed


def _quick_text(value, longest: int, *, multiline: bool = False) -> str | None:
    value = (value or "").strip()
    if not text_is_clean(value, multiline=multiline):
        return None  # the form's core.text.clean_text decides (and explains)
    value = _CRLF.sub("\n", value).strip() if multiline else value
    return value if len(value) <= longest else None


def _quick_float(value, limit: float) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def complaint_quick_clean(data, files, *, categories: dict) -> dict | None:
    """The usual complaint from the map or /complaints/new/ (no photo, no email, a pinned
    place), checked without building `ComplaintForm` (ADR 0101). `categories` are the offered
    ones by id (selectors.categories_offered). None means "let the form decide": anything
    unusual, wrong or incomplete goes through the form, which also shows the errors.
    Otherwise the result equals the form's `cleaned_data` for the same data (a hypothesis
    test holds this)."""
    get = data.get
    if files or get("reporter_email") or get("service") or get("point"):
        return None
    try:
        category = categories.get(int(get("category") or ""))
    except ValueError:
        return None
    description = _quick_text(get("description"), DESCRIPTION_MAX_LENGTH, multiline=True)
    name = _quick_text(get("reporter_name"), 200)
    latitude, longitude = _quick_float(get("latitude"), 90), _quick_float(get("longitude"), 180)
    phone = (get("reporter_phone") or "").strip()
    shown = get("name_public")
    if (
        category is None
        or not description
        or name is None
        or latitude is None
        or longitude is None
        or (phone and not _PHONE.match(phone))
        or shown not in (None, "", "on")
    ):
        return None
    return {
        "category": category,
        "description": description,
        "photos": [],
        "latitude": latitude,
        "longitude": longitude,
        "reporter_name": name,
        "name_public": shown == "on",
        "reporter_email": "",
        "reporter_phone": phone,
    }


class NearbyChoiceForm(Form):
    """The second step when open complaints are nearby: "file mine anyway"."""

    file_anyway = forms.BooleanField(required=False)


class FilterForm(forms.Form):
    province = forms.ChoiceField(label=_("Province"), required=False)
    # A code, not a list: 10,000 agencies make no usable select (the agency's pages link here).
    agency = forms.SlugField(label=_("Agency code"), max_length=32, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, to_field_name="code"
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces")), *province_choices()]
        self.fields["category"].queryset = Category.objects.all()
        self.fields["state"].choices = [
            ("", _("All")),
            ("open", _("Open")),
            ("closed", _("Fixed or closed")),
            *Complaint.State.choices,
        ]


class TransitionForm(Form):
    state = forms.ChoiceField(label=_("New state"))
    note = forms.CharField(
        label=_("Public note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
    )
    duplicate_of = forms.CharField(
        label=_("Reference of the original (for a duplicate)"), max_length=20, required=False
    )

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = Complaint.TRANSITIONS.get(complaint.state, ()) if complaint else ()
        self.fields["state"].choices = [
            (value, label) for value, label in Complaint.State.choices if value in allowed
        ]


class NoteForm(Form):
    note = forms.CharField(
        label=_("Internal note (never public)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX_LENGTH,
    )


class HandOverForm(Form):
    to_agency = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=Agency.objects.none(), to_field_name="code"
    )
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=DESCRIPTION_MAX_LENGTH
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(status="active").order_by(
            "name_th"
        )


class ModerateForm(Form):
    hide_text = forms.BooleanField(label=_("Hide the text and photos in public"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=500)


class ReopenForm(Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX_LENGTH,
    )


class TemplateForm(Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=DESCRIPTION_MAX_LENGTH
    )


class PartnerKeyForm(Form):
    name = forms.CharField(
        label=_("Partner channel"),
        max_length=100,
        help_text=_("For example the city's app or a LINE official account."),
    )
    contact = forms.CharField(
        label=_("Contact at the partner"),
        max_length=200,
        required=False,
        help_text=_("Who to call when the key must be replaced."),
    )
