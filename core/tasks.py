from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Mail goes out from the worker so a slow SMTP server never slows a page."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
