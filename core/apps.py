from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    # Two configs live here (the tasks one below): this is the one "core" installs.
    default = True
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.urls import register_converter

        from core.parsing import IdConverter, IndexConverter

        register_converter(IdConverter, "id")
        register_converter(IndexConverter, "index")


# django_tasks_db names its results lazily but its app plainly: Django's admin shows both,
# so the app is installed through this config and the two names are translated here.
TASK_RESULT_NAMES = (_("Task Result"), _("Task Results"))


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
