from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Citizen feedback")

    def ready(self) -> None:
        from feedback.selectors import feedback_target_forget

        for model in ("service_points.ServicePoint", "manual.Service", "agencies.Agency"):
            for signal in (post_save, post_delete):
                signal.connect(
                    feedback_target_forget, sender=model, dispatch_uid=f"feedback-target-{model}"
                )
