from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManualConfig(AppConfig):
    name = "manual"
    verbose_name = _("Citizen's Manual")

    def ready(self) -> None:
        from core.media import register
        from manual.media import sample_form_rule

        register("manual/forms/", sample_form_rule)
