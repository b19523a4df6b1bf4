from functools import cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db.models import F
from django.utils import timezone

from accounts.models import SignInThrottle, User


@cache
def _dummy_hash(algorithm: str) -> str:
    return make_password("not-a-password", hasher=algorithm)


def hash_tries() -> int:
    """Password hashes computed by every failed attempt, whatever the identifier."""
    return max(1, settings.SIGN_IN_AGENCY_MEMBERS_TRIED)


class IdentityBackend(ModelBackend):
    """Sign in with a personal email, or with the agency identity of the seed.

    The agency identity (`<code>@info.go.th`) is shared by the agency's members, as in
    the seed; each member keeps a personal password, so the identity plus a member's
    password signs that member in and the audit log names the person, not the agency.

    Equal work: a failed attempt computes exactly `hash_tries()` password hashes whether the
    identifier is unknown, a person's email or an agency identity (dummy hashes make up the
    difference), so its duration does not tell whether an account exists. The agency identity
    therefore tries at most that many members, those who signed in most recently first.
    A member locked out under their own email is never tried under the agency identity.
    """

    def authenticate(self, request, username=None, password=None, identifier=None, **kwargs):
        identifier = (identifier or username or "").strip().lower()
        if not identifier or not password:
            return None
        hashed = 0
        for user in self.candidates(identifier):
            if not user.has_usable_password():
                continue
            hashed += 1
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        dummy = _dummy_hash(get_hasher().algorithm)
        for _ in range(hash_tries() - hashed):
            check_password(password, dummy)
        return None

    @classmethod
    def candidates(cls, identifier: str) -> list[User]:
        local, _sep, domain = identifier.partition("@")
        users: list[User] = []
        if domain == settings.AGENCY_LOGIN_DOMAIN.lower():
            users = list(
                User.objects.filter(
                    agency__code=local,
                    agency__status="active",
                    is_active=True,
                    role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
                ).order_by(F("last_login").desc(nulls_last=True), "id")[: hash_tries()]
            )
        if not users:
            users = list(User.objects.filter(email__iexact=identifier)[: hash_tries()])
        locked = set(
            SignInThrottle.objects.filter(
                identifier__in=[u.email.lower() for u in users],
                locked_until__gt=timezone.now(),
            ).values_list("identifier", flat=True)
        )
        return [u for u in users if u.email.lower() not in locked]
