from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicePointsConfig(AppConfig):
    name = "service_points"
    verbose_name = _("Service points")

    def ready(self) -> None:
        from core.media import register
        from service_points import nearest
        from service_points.media import photo_rule

        register("service_points/", photo_rule)
        # A later migration that rebuilds the points table on SQLite drops its triggers.
        post_migrate.connect(nearest.restore_sqlite_triggers, sender=self)
