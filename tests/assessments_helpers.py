"""Factories and a frozen clock for the case-plan tests (issue 4)."""

import datetime as dt

import factory

from assessments.models import Assessment, Goal, MarkerRating, Screening, Service
from cases.models import Consent
from safebabies import codes
from tests import factories as f

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 9 a.m. at the Chicago sites
TODAY = dt.date(2026, 11, 20)


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    case = factory.SubFactory(f.CaseFactory)
    child = None
    subject = codes.ScreeningSubject.CHILD
    instrument = codes.Instrument.ASQ3
    screened_on = dt.date(2026, 3, 10)
    result = codes.ScreeningResult.NO_CONCERN


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    case = factory.SubFactory(f.CaseFactory)
    recipient = codes.ServiceRecipient.PARENT
    service_type = codes.ServiceType.HOUSING
    provider = "Housing navigators"
    referred_on = dt.date(2026, 3, 20)
    status = codes.ServiceStatus.REFERRED


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    case = factory.SubFactory(f.CaseFactory)
    description = "A safe place to live with Derrick"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    case = factory.SubFactory(f.CaseFactory)
    lens = "child"
    assessed_on = dt.date(2026, 4, 1)
    strengths = "Lights up when his mother arrives"
    history = "Removed from a car where the family was living"


class MarkerRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkerRating

    case = factory.SubFactory(f.CaseFactory)
    marker = "reflective_capacity"
    rated_on = dt.date(2026, 4, 1)
    score = 2


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    case = factory.SubFactory(f.CaseFactory)
    person = factory.SubFactory(f.PersonFactory, case=factory.SelfAttribute("..case"))
    category = Consent.Category.SUBSTANCE_USE_TREATMENT
    recipient_role = "caseworker"
    granted_on = dt.date(2026, 3, 10)
    expires_on = dt.date(2027, 3, 10)


def part2_records(family):
    """A substance-use treatment service and a substance-use screening of the parent."""
    service = ServiceFactory(
        case=family,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider="New Roads Recovery Center",
    )
    screening = ScreeningFactory(
        case=family,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.SUBSTANCE_USE,
        result=codes.ScreeningResult.REFER,
        screened_by="Recovery intake nurse",
    )
    return service, screening
