from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "citizens"
    verbose_name = _("Citizens' own space")
