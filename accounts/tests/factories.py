import factory

from accounts.models import Registration, User
from agencies.tests.factories import DepartmentFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"officer{n}@agency{n}.go.th")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = "สมศรี"
    last_name = "ทดสอบ"
    role = User.Role.AGENCY_OFFICER
    agency = factory.SubFactory(DepartmentFactory)
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class AgencyAdminFactory(UserFactory):
    role = User.Role.AGENCY_ADMIN


class EgaAdminFactory(UserFactory):
    role = User.Role.EGA_ADMIN
    agency = None
    is_staff = True
    email = factory.Sequence(lambda n: f"admin{n}@ega.or.th")


class OverseerFactory(UserFactory):
    role = User.Role.OVERSEER
    agency = None
    email = factory.Sequence(lambda n: f"overseer{n}@opdc.go.th")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    user = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda o: o.user.agency)
    first_name = factory.LazyAttribute(lambda o: o.user.first_name)
    last_name = factory.LazyAttribute(lambda o: o.user.last_name)
    email = factory.LazyAttribute(lambda o: o.user.email)
    phone = "0812345678"
    status = Registration.Status.ACTIVATED
