"""Rounds, pinned agencies and complete answers for the readiness tests."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from readiness.models import LimitationOption, SurveyRound


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    """A round open today (the seed's Phase 1 ran 7–31 May 2018)."""

    class Meta:
        model = SurveyRound
        skip_postgeneration_save = True

    name_th = factory.Sequence(lambda n: f"รอบสำรวจทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test round {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=25))

    @factory.post_generation
    def limitation_options(self, create: bool, extracted, **kwargs) -> None:
        """Every available option, as the first round made in the console would offer."""
        if create:
            self.limitation_options.set(
                extracted
                if extracted is not None
                else LimitationOption.objects.filter(is_active=True)
            )


def pin(agency, count: int = 1):
    from service_points.tests.factories import PublishedPointFactory

    return [PublishedPointFactory(agency=agency) for _ in range(count)]


def future(days: int = 90) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def answers(**overrides: Any) -> dict[str, Any]:
    """Every required answer, valid, in the service's terms."""
    data = {
        "respondent_first_name": "นิมิตา",
        "respondent_last_name": "จันทร์เสนา",
        "respondent_email": "nimita@a.go.th",
        "respondent_phone": "0813456789",
        "q1_system": "yes",
        "q1_expected_on": None,
        "q2_channels": ["office", "website"],
        "q2_other": "",
        "q3_service_points": 12,
        "q4_plan": "yes",
        "q4_expected_on": future(),
        "q4_reason": "",
        "q5_mou": "yes",
        "q6_linkage": "in_progress",
        "q6_expected_on": future(120),
        "q7_readers": "insufficient",
        "q7_readers_owned": None,
        "q7_readers_needed": 30,
        "q8_limitations": "none",
        "comment": "",
    }
    data.update(overrides)
    return data


def be(date: datetime.date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year + 543}"


def post_data(draft, **overrides: Any) -> dict[str, Any]:
    """What the survey page posts for complete answers (dates typed in the Buddhist Era)."""
    data: dict[str, Any] = {
        "revision": draft.revision,
        "response": draft.pk,
        "respondent_first_name": "นิมิตา",
        "respondent_last_name": "จันทร์เสนา",
        "respondent_email": "nimita@a.go.th",
        "respondent_phone": "081 345 6789",
        "q1_system": "yes",
        "q2_channels": ["office", "website"],
        "q3_service_points": "12",
        "q4_plan": "yes",
        "q4_expected_on": be(future()),
        "q5_mou": "yes",
        "q6_linkage": "in_progress",
        "q6_expected_on": be(future(120)),
        "q7_readers": "insufficient",
        "q7_readers_needed": "30",
        "q8_limitations": "none",
        "comment": "",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def option(letter: str = "ก") -> LimitationOption:
    return LimitationOption.objects.get(letter=letter)
