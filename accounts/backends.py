from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class IdentityBackend(ModelBackend):
    """Sign in with a personal email, or with the agency identity of the seed.

    The agency identity (`<code>@info.go.th`) is shared by the agency's members, as in
    the seed; each member keeps a personal password, so the identity plus a member's
    password signs that member in and the audit log names the person, not the agency.
    """

    MAX_MEMBERS_TRIED = 50

    def authenticate(self, request, username=None, password=None, identifier=None, **kwargs):
        identifier = (identifier or username or "").strip().lower()
        if not identifier or not password:
            return None
        for user in self.candidates(identifier):
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        # Spend the same hashing time on unknown identities as on known ones.
        User().set_password(password)
        return None

    @classmethod
    def candidates(cls, identifier: str) -> list[User]:
        local, _sep, domain = identifier.partition("@")
        if domain == settings.AGENCY_LOGIN_DOMAIN.lower():
            members = list(
                User.objects.filter(
                    agency__code=local,
                    agency__status="active",
                    is_active=True,
                    role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
                ).order_by("id")[: cls.MAX_MEMBERS_TRIED]
            )
            if members:
                return members
        return list(User.objects.filter(email__iexact=identifier))
