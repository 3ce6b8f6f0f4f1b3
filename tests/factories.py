"""The tests' one set of factories and builders: factory_boy factories for every kind of
record, `site_member` for the personas of tests/conftest.py, and the scenarios several test
modules share (the case plan's records, a family with a held FTM). Dates are fixed so tests can
freeze time (CASE_PLAN_NOW, FTM_NOW)."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import factory

from assessments.models import Assessment, Goal, MarkerRating, Screening, Service
from cases import models as m
from cases.models import Consent, MaltreatmentReport, Relationship
from familytime.models import Visit
from safebabies import codes
from safebabies.identity.models import Site, SiteMembership, User
from teams.models import Ftm, FtmActionItem


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"site-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} County Safe Babies")
    timezone = "America/Chicago"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteMembership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = "caseworker"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Case

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Family {n}")
    opened_on = dt.date(2026, 3, 2)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Child

    case = factory.SubFactory(CaseFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = dt.date(2025, 6, 10)
    sex = codes.Sex.MALE
    enrolled_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    docket_number = factory.Sequence(lambda n: f"JD-2026-{n:04d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person

    case = factory.SubFactory(CaseFactory)
    kind = m.Person.Kind.PARENT
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Episode

    child = factory.SubFactory(ChildFactory)
    removal_date = dt.date(2026, 3, 1)
    manner = codes.RemovalManner.COURT_ORDERED
    reasons = factory.LazyFunction(lambda: [codes.RemovalReason.NEGLECT])


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Placement

    episode = factory.SubFactory(EpisodeFactory)
    setting = codes.PlacementSetting.RELATIVE_FOSTER
    start_date = factory.LazyAttribute(lambda o: o.episode.removal_date)


class PermanencyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.PermanencyPlan

    child = factory.SubFactory(ChildFactory)
    effective_date = dt.date(2026, 3, 3)
    primary_goal = codes.PermanencyGoal.REUNIFICATION
    concurrent_goal = codes.PermanencyGoal.RELATIVE


class HearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Hearing

    case = factory.SubFactory(CaseFactory)
    hearing_type = codes.HearingType.REVIEW
    scheduled_on = dt.date(2026, 12, 3)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TeamMember

    case = factory.SubFactory(CaseFactory)
    user = factory.SubFactory(UserFactory)
    role = "caseworker"


def site_member(site: Site, *roles: str, email: str, former: tuple[str, ...] = ()) -> User:
    """A user holding each of `roles` at `site` (one membership a role, as `add_member` makes
    them) and, in `former`, roles they held there once (memberships since deactivated)."""
    user = UserFactory(email=email)
    for role in roles:
        MembershipFactory(user=user, site=site, role=role)
    for role in former:
        MembershipFactory(user=user, site=site, role=role, is_active=False)
    return user


# --- The case plan (frozen on CASE_PLAN_NOW) -----------------------------------------------

CASE_PLAN_NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 9 a.m. at the Chicago sites
CASE_PLAN_TODAY = dt.date(2026, 11, 20)


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    case = factory.SubFactory(CaseFactory)
    child = None
    subject = codes.ScreeningSubject.CHILD
    instrument = codes.Instrument.ASQ3
    screened_on = dt.date(2026, 3, 10)
    result = codes.ScreeningResult.NO_CONCERN


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    case = factory.SubFactory(CaseFactory)
    recipient = codes.ServiceRecipient.PARENT
    service_type = codes.ServiceType.HOUSING
    provider = "Housing navigators"
    referred_on = dt.date(2026, 3, 20)
    status = codes.ServiceStatus.REFERRED


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    case = factory.SubFactory(CaseFactory)
    description = "A safe place to live with Derrick"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    lens = "child"
    assessed_on = dt.date(2026, 4, 1)
    strengths = "Lights up when his mother arrives"
    history = "Removed from a car where the family was living"


class MarkerRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkerRating

    case = factory.SubFactory(CaseFactory)
    marker = "reflective_capacity"
    rated_on = dt.date(2026, 4, 1)
    score = 2


# A release in force needs `confirmed_at` (recorded by a coordinator and, where it opens the
# recorder's own role, confirmed by a second person: assessments.services.consent_record).
CONFIRMED = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory, case=factory.SelfAttribute("..case"))
    category = Consent.Category.SUBSTANCE_USE_TREATMENT
    recipient_role = "caseworker"
    granted_on = dt.date(2026, 3, 10)
    expires_on = dt.date(2027, 3, 10)
    confirmed_at = CONFIRMED


def part2_records(family):
    """A substance-use treatment service and a substance-use screening of the parent (their
    own records: only the parent's release opens them)."""
    service = ServiceFactory(
        case=family,
        person=family.test_parent,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider="New Roads Recovery Center",
    )
    screening = ScreeningFactory(
        case=family,
        person=family.test_parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.SUBSTANCE_USE,
        result=codes.ScreeningResult.REFER,
        screened_by="Recovery intake nurse",
    )
    return service, screening


# --- A family with a held FTM and the next one on the calendar (frozen on FTM_NOW) -----------

FTM_NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 09:00 in the site's America/Chicago
FTM_TODAY = dt.date(2026, 11, 23)


@dataclass
class Meeting:
    case: object
    previous: Ftm
    ftm: Ftm
    old_items: list[FtmActionItem]
    goal: Goal


def make_meeting(family, coordinator, caseworker) -> Meeting:
    previous = Ftm.objects.create(
        case=family,
        scheduled_on=FTM_TODAY - dt.timedelta(days=30),
        status=codes.FtmStatus.HELD,
        facilitator=coordinator,
        notes="Talked about the move back home.",
        parent_attended=True,
    )
    old_items = [
        FtmActionItem.objects.create(
            ftm=previous,
            description="Book the parenting class",
            owner=caseworker,
            owner_role="caseworker",
            due_on=FTM_TODAY,
        ),
        FtmActionItem.objects.create(
            ftm=previous, description="Visit the new apartment", owner_role="", due_on=FTM_TODAY
        ),
    ]
    ftm = Ftm.objects.create(
        case=family, scheduled_on=FTM_TODAY, facilitator=coordinator, location="Room B"
    )
    goal = Goal.objects.create(case=family, description="Jaime goes home to Dorothy")
    return Meeting(case=family, previous=previous, ftm=ftm, old_items=old_items, goal=goal)


# --- One record of every kind, for the API tests and the fuzzer -----------------------------

# An API resource -> the attribute of `add_records`'s answer holding the family's record of it.
API_RECORD_ATTRS = {
    "cases": "case",
    "children": "child",
    "episodes": "episode",
    "placements": "placement",
    "permanency-plans": "plan",
    "hearings": "hearing",
    "ftms": "ftm",
    "ftm-action-items": "action_item",
    "family-time": "visit",
    "screenings": "screening",
    "services": "service",
    "maltreatment-reports": "report",
    "people": "parent",
    "documents": "order_document",
}


def add_records(case, child, parent, episode) -> SimpleNamespace:
    """One record of every kind for a family, Part 2 records included."""
    placement = PlacementFactory(episode=episode, address="12 Elm Street")
    plan = PermanencyPlanFactory(child=child)
    parent.phone, parent.email, parent.address = "555-0100", "parent@example.org", "3 Oak Road"
    parent.save()
    Relationship.objects.create(person=parent, child=child, kind=Relationship.Kind.MOTHER)
    hearing = HearingFactory(case=case)
    ftm = Ftm.objects.create(
        case=case,
        scheduled_on=dt.date(2026, 4, 1),
        status=codes.FtmStatus.HELD,
        parent_attended=True,
        attendee_roles=["caseworker", "parent_mentor"],
        notes="The parent is worried about housing.",
    )
    action_item = FtmActionItem.objects.create(
        ftm=ftm,
        description="Call the housing authority",
        owner_role="caseworker",
        due_on=dt.date(2026, 5, 1),
    )
    visit = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 4, 2),
        status=codes.VisitStatus.HELD,
        duration_minutes=60,
        supervision=codes.Supervision.SUPERVISED,
        location=codes.VisitLocation.AGENCY,
        observations="Reached for the parent at once.",
    )
    screening = Screening.objects.create(
        case=case,
        child=child,
        subject=codes.ScreeningSubject.CHILD,
        instrument=codes.Instrument.ASQ3,
        screened_on=dt.date(2026, 3, 10),
        result=codes.ScreeningResult.NO_CONCERN,
    )
    part2_screening = Screening.objects.create(
        case=case,
        person=parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.SUBSTANCE_USE,
        screened_on=dt.date(2026, 3, 11),
        result=codes.ScreeningResult.REFER,
        referral_made=True,
    )
    service = Service.objects.create(
        case=case,
        child=child,
        recipient=codes.ServiceRecipient.DYAD,
        service_type=codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
        evidence_based=True,
        referred_on=dt.date(2026, 3, 12),
    )
    part2_service = Service.objects.create(
        case=case,
        person=parent,
        recipient=codes.ServiceRecipient.PARENT,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        referred_on=dt.date(2026, 3, 12),
    )
    report = MaltreatmentReport.objects.create(
        child=child,
        reported_on=dt.date(2026, 2, 20),
        disposition=codes.MaltreatmentDisposition.SUBSTANTIATED,
    )
    order_document = document(case, hearing=hearing)
    return SimpleNamespace(**locals())


# --- Documents: the smallest files of each kind the app keeps, and one kept on a case ----------

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="JPEG")
    return out.getvalue()


def document(case, *, content: bytes = PDF_BYTES, name: str = "order.pdf", **fields):
    """A document of `case` with its file in the documents storage (as the upload keeps it)."""
    import hashlib

    from django.core.files.base import ContentFile

    from cases.documents import files
    from cases.documents.services import storage

    consent = fields.get("consent")
    if consent is not None and consent.is_part2:
        fields.setdefault("part2", True)
        fields.setdefault("person", consent.person)
    fields.setdefault("kind", m.Document.Kind.ORDER)
    fields.setdefault("content_type", "application/pdf")
    stored = storage().save(files.storage_name(fields["content_type"]), ContentFile(content))
    return m.Document.objects.create(
        case=case,
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=stored,
        **fields,
    )
