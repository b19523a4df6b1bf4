from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LineChannelConfig(AppConfig):
    name = "line_channel"
    verbose_name = _("LINE channel")

    def ready(self) -> None:
        from line_channel import signals

        signals.connect()
