from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Tracking and reporting")

    def ready(self) -> None:
        from progress import signals

        signals.connect_signals()
