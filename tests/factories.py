"""factory_boy factories for the case model. Dates are fixed so tests can freeze time."""

import datetime as dt

import factory

from cases import models as m
from safebabies import codes
from safebabies.identity.models import Site, SiteMembership, User


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
