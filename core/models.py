from django.core.exceptions import ValidationError
from django.db import models

from core.text import clean_model_text


class CleanTextMixin(models.Model):
    """Text fields pass through `core.text.clean_text` whenever the record is validated.

    Services call `full_clean()` before every write, so the form, the API, the importer and
    the admin all get the same normalisation and the same refusals. A model may set
    `TEXT_LIMITS = {"field": n}` for a TextField that needs more than MULTILINE_MAX.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            clean_model_text(self, exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
