from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import MULTILINE_MAX, SINGLE_LINE_MAX, clean_text

# Django's own Thai says "ฟิลด์นี้จำเป็น"; citizens read "please fill in this field" better.
# Keeping the msgid here lets core's catalogue override Django's everywhere.
REQUIRED_MESSAGE = _("This field is required.")
# A question answered by choosing (radios, lists, boxes) is not "filled in".
CHOOSE_MESSAGE = _("Please choose an answer.")
CHOICE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple)


def _clean_text_on_input(field: forms.Field) -> None:
    """Every text field of every form goes through core.text.clean_text (passwords excepted:
    they are compared byte for byte)."""
    if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
        return
    multiline = isinstance(field.widget, forms.Textarea)
    to_python = field.to_python
    # A field with its own max_length has Django's validator for it; others get a default.
    longest = None if field.max_length else (MULTILINE_MAX if multiline else SINGLE_LINE_MAX)

    def cleaned(value):
        value = to_python(value)
        if isinstance(value, str) and value:
            value = clean_text(value, multiline=multiline, max_length=longest)
        return value

    field.to_python = cleaned  # type: ignore[method-assign]


class AccessibleFormMixin:
    """Ties each widget to its help and error text, so screen readers announce both."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for bound in self.fields.values():  # type: ignore[attr-defined]
            choosing = isinstance(bound.widget, CHOICE_WIDGETS)
            bound.error_messages["required"] = CHOOSE_MESSAGE if choosing else REQUIRED_MESSAGE
            _clean_text_on_input(bound)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name, bound in self.fields.items():  # type: ignore[attr-defined]
            widget_id = self.auto_id % self.add_prefix(name)  # type: ignore[attr-defined]
            described = []
            if bound.help_text:
                described.append(f"{widget_id}_helptext")
            if name in self.errors:  # type: ignore[attr-defined]
                described.append(f"{widget_id}_error")
                bound.widget.attrs["aria-invalid"] = "true"
            else:
                bound.widget.attrs.pop("aria-invalid", None)
            if described:
                bound.widget.attrs["aria-describedby"] = " ".join(described)


class Form(AccessibleFormMixin, forms.Form):
    template_name = "core/includes/form_fields.html"


class ModelForm(AccessibleFormMixin, forms.ModelForm):
    template_name = "core/includes/form_fields.html"


def add_service_errors(form: forms.BaseForm, error) -> None:
    """Puts a service's ValidationError on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
