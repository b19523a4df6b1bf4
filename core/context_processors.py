from django.conf import settings


def site(request):
    return {
        "AGENCY_LOGIN_DOMAIN": settings.AGENCY_LOGIN_DOMAIN,
        "EGA_CONTACT_EMAIL": getattr(settings, "EGA_CONTACT_EMAIL", "contact@ega.or.th"),
        "EGA_CONTACT_PHONE": getattr(settings, "EGA_CONTACT_PHONE", "02-612-6060"),
    }
