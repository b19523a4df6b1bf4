from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.opendata import dcat_datasets
        from service_points.catalog import register_datasets

        register_datasets(dcat_datasets)
