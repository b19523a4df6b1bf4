from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form, ModelForm
from service_points import divisions
from service_points.models import ServicePoint, ServicePointPhoto


class ServicePointForm(ModelForm):
    """The pin page. Province → district → subdistrict narrow each other (htmx, or on submit)."""

    province_code = forms.ChoiceField(label=_("Province"))
    district_code = forms.ChoiceField(
        label=_("District"), help_text=_("The list follows the province you choose.")
    )
    subdistrict_code = forms.ChoiceField(
        label=_("Subdistrict"), help_text=_("The list follows the district you choose.")
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Filled in when you place the pin; you can also type it, e.g. 13.756331."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("For example 100.501765."),
    )

    class Meta:
        model = ServicePoint
        fields = [
            "name_th",
            "name_en",
            "government",
            "latitude",
            "longitude",
            "house_number",
            "road",
            "province_code",
            "district_code",
            "subdistrict_code",
            "postcode",
            "phone",
            "opening_hours",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self._value("province_code")
        district = self._value("district_code")
        empty = [("", _("Choose…"))]
        self.fields["province_code"].choices = empty + divisions.province_choices()
        self.fields["district_code"].choices = empty + divisions.district_choices(province)
        self.fields["subdistrict_code"].choices = empty + divisions.subdistrict_choices(
            district if district.startswith(province or "-") else ""
        )
        self.fields["contact_name"].required = True
        self.fields["contact_phone"].required = True
        for name in ("province_code", "district_code"):
            self.fields[name].widget.attrs.update({"data-cascade": name})

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        return str(self.initial.get(name) or getattr(self.instance, name, "") or "")

    def clean_postcode(self):
        return (self.cleaned_data.get("postcode") or "").strip()

    def clean(self):
        data = super().clean()
        sub = data.get("subdistrict_code")
        if sub and not data.get("postcode"):
            codes = divisions.postcodes(sub)
            if len(codes) == 1:
                data["postcode"] = codes[0]
                self.instance.postcode = codes[0]
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PhotoForm(Form):
    kind = forms.ChoiceField(
        label=_("What the photo shows"),
        choices=ServicePointPhoto.Kind.choices,
        widget=forms.RadioSelect,
    )
    image = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG, PNG, WebP or HEIC, at most 10 MB. Location data is removed before saving."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
        ),
    )


class MoveToPhotoForm(Form):
    latitude = forms.FloatField(widget=forms.HiddenInput)
    longitude = forms.FloatField(widget=forms.HiddenInput)


class ImportForm(Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "The columns of the open data set (download it to start), plus "
            "contact_name and contact_phone. UTF-8 for CSV."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ApiKeyForm(Form):
    name = forms.CharField(
        label=_("What will use this key"),
        max_length=100,
        help_text=_("For example: our service-point register."),
    )


class SearchForm(Form):
    q = forms.CharField(
        label=_("Name, agency, province or district"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces"))] + divisions.province_choices()
