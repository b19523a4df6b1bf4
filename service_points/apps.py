from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicePointsConfig(AppConfig):
    name = "service_points"
    verbose_name = _("Service points")

    def ready(self) -> None:
        from core.media import register
        from service_points.media import photo_rule

        register("service_points/", photo_rule)
