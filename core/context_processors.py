from django.conf import settings


def site(request):
    return {"AGENCY_LOGIN_DOMAIN": settings.AGENCY_LOGIN_DOMAIN}
