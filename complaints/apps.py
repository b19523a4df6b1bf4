from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.opendata import dcat_datasets
        from service_points.catalog import register_datasets

        register_datasets(dcat_datasets)
        # The submission's per-process copies (ADR 0101): categories and deadlines.
        from complaints import selectors, services
        from complaints.models import Category, Holiday

        for signal in (post_save, post_delete):
            signal.connect(selectors.categories_forget, sender=Category, weak=False)
            signal.connect(services.deadlines_forget, sender=Holiday, weak=False)
