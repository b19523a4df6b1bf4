"""`request.citizen`: the signed-in citizen, from the session's own key (ADR 0110).

A session is a staff one or a citizen one, never both: a staff sign-in drops the citizen,
and a citizen sign-in flushes the session first (citizens.services.citizen_session_start).
"""

from django.conf import settings

from citizens.models import Citizen

SESSION_KEY = "_citizen_id"


class CitizenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.citizen = None
        citizen_id = request.session.get(SESSION_KEY)
        if citizen_id is not None:
            if request.user.is_authenticated:
                del request.session[SESSION_KEY]
            else:
                request.citizen = Citizen.objects.filter(
                    pk=citizen_id, status=Citizen.Status.ACTIVE
                ).first()
                if request.citizen is None:
                    del request.session[SESSION_KEY]
                else:
                    # Idle time-out: each request a citizen makes moves the deadline on.
                    request.session.set_expiry(settings.CITIZEN_SESSION_SECONDS)
        return self.get_response(request)
