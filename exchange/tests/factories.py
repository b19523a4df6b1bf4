# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
import factory

from agencies.tests.factories import DepartmentFactory
from exchange.models import AccessRight, DocumentType, Member


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    agency = factory.SubFactory(DepartmentFactory)
    code = factory.LazyAttribute(lambda o: o.agency.code)
    endpoint = ""


class AccessRightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRight

    consumer = factory.SubFactory(MemberFactory)
    document_type = factory.LazyFunction(lambda: DocumentType.objects.get(code="person_record"))
    purpose = "land-title-transfer"
