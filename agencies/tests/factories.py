import factory

from agencies.models import Agency


class MinistryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"m{n:03d}")
    kind = Agency.Kind.MINISTRY
    name_th = factory.Sequence(lambda n: f"กระทรวงทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Ministry of Testing {n}")


class DepartmentFactory(MinistryFactory):
    code = factory.Sequence(lambda n: f"d{n:03d}")
    kind = Agency.Kind.DEPARTMENT
    parent = factory.SubFactory(MinistryFactory)
    name_th = factory.Sequence(lambda n: f"กรมทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Department of Testing {n}")


class UnitFactory(MinistryFactory):
    code = factory.Sequence(lambda n: f"u{n:03d}")
    kind = Agency.Kind.UNIT
    parent = factory.SubFactory(DepartmentFactory)
    name_th = factory.Sequence(lambda n: f"สำนักงานทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Testing Office {n}")
