"""The case model (DOMAIN.md "The case, as the software sees it").

History is never overwritten: placements, permanency plans and consents are dated rows; court
records are PROTECTed and closed, not deleted. Rules that must always hold are database
constraints (and, across tables, triggers in migration 0002).
"""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Collate, Lower

from safebabies import codes
from safebabies.identity.roles import TEAM_PLACE_ROLES, Role
from safebabies.models import Record


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class CaseQuerySet(models.QuerySet):
    def count(self) -> int:
        """A list of every case of some sites, open or closed, sealed or not (a site-wide
        role's case list and API list, where the `count` would read every case of the site),
        is counted from `CaseCount`; any other, as Django counts it (`cases.counts`)."""
        if self._result_cache is None:
            from cases.counts import counted

            found = counted(self)
            if found is not None:
                return found
        return super().count()


class Case(Record):
    """One family's involvement with a site.

    The table also has a column the database keeps itself and Django does not map: `cqi_part`,
    generated from the id, the part of its site the case's records are counted in by the CQI
    cache (`cqi.stamps`).

    `search_text` and `search_dockets` are what the case list's search reads (`cases.selectors.
    search_cases`): PostgreSQL fills them itself (migration 0009) from the family's name, its
    children's names and docket numbers and its people's names, in capitals, words between
    spaces (" RIVERA FAMILY JAIME RIVERA JD-2026-0001 DOROTHY RIVERA "), whenever one of those
    changes, whoever writes it (a form, the API, the data package's import); a value written
    here is replaced."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="cases")
    name = models.CharField(
        max_length=200, blank=True, help_text="How the team names the family, e.g. 'Rivera family'."
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    enrollment = models.CharField(
        max_length=16, choices=codes.Enrollment.choices, default=codes.Enrollment.OUT_OF_HOME
    )
    # Sealed past its retention period: hidden from everyone but the site's admins
    # (`cases.access`), still counted in the CQI figures of the years it belongs to.
    sealed_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="", db_default="")
    search_dockets = ArrayField(
        models.CharField(max_length=64), editable=False, null=True, blank=True
    )  # the children's docket numbers in capitals: an exact docket comes first

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(enrollment__in=codes.Enrollment.values), name="case_enrollment_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "closed_on"]),
            # the search's words (`search_text LIKE '%WORD%'`): pg_trgm's trigrams, GIN
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="case_search_trgm"),
            # the API's case list in its order, read page by page (keyset pagination)
            models.Index(F("opened_on").desc(), "id", name="case_opened_order"),
            # the case list page in its order (by name)
            models.Index(fields=["name", "id"], name="case_name_order"),
        ]

    def __str__(self) -> str:
        return self.name or f"Case {self.id}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CaseCount(models.Model):
    """How many cases a site has, closed or not, sealed or not: what a list's `count` reads
    instead of counting every case of the site. A log of changes, each row what one statement
    added to or took from one (site, closed, sealed); a count is the sum of a site's rows.
    PostgreSQL writes it itself, in the writing statement's own transaction, from every insert,
    update, delete and truncate of `Case` whoever writes it (migration 0019: statement triggers
    with transition tables, so a COPY of thousands of cases is one row here, and writers only
    add rows, so none waits for another). `cases.tasks.compact_counts` folds the rows every
    hour. Nothing else writes it."""

    id = models.BigAutoField(primary_key=True)
    site_id = models.BigIntegerField(db_index=True)
    closed = models.BooleanField()
    sealed = models.BooleanField()
    cases = models.BigIntegerField()  # added (taken away when negative)

    def __str__(self) -> str:
        return f"site {self.site_id}, closed {self.closed}, sealed {self.sealed}: {self.cases:+}"


class Child(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="children")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=8, choices=codes.Sex.choices, blank=True)
    race = ArrayField(
        models.CharField(max_length=40, choices=codes.Race.choices), default=list, blank=True
    )
    hispanic = models.CharField(max_length=24, choices=codes.Hispanic.choices, blank=True)
    icwa = models.CharField(max_length=16, choices=codes.Icwa.choices, default=codes.Icwa.UNKNOWN)
    enrolled_on = models.DateField()
    exited_on = models.DateField(null=True, blank=True)
    docket_number = models.CharField(max_length=64, blank=True)
    preferred_language = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["birth_date", "id"]
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("enrolled_on")),
                name="child_exit_after_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(race__contained_by=codes.Race.values), name="child_race_valid"
            ),
        ]
        indexes = [models.Index(fields=["docket_number"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Child {self.id}"

    @property
    def display_name(self) -> str:
        return str(self)


class Person(Record):
    """A parent, resource parent, relative or other support in the family's life."""

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent"
        RESOURCE_PARENT = "resource_parent", "Resource parent"
        RELATIVE = "relative", "Relative"
        SUPPORT = "support", "Other support"

    class CopyChannel(models.TextChoices):
        """How a person agreed to receive the family copy of each FTM."""

        EMAIL = "email", "By e-mail (a link to sign in and read it)"
        TEXT = "text", "By text message (a link to sign in and read it)"
        PAPER = "paper", "On paper (a PDF printed and handed over)"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="people")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=32, blank=True, default="English")
    race = ArrayField(
        models.CharField(max_length=40, choices=codes.Race.choices), default=list, blank=True
    )
    hispanic = models.CharField(max_length=24, choices=codes.Hispanic.choices, blank=True)
    # A relative identified for a child in care: the day they were told of the removal (the
    # notice due within 30 days of it; `cases.icwa.selectors.relative_notices`). A notice
    # given before the child's current removal (an earlier one) does not count for it.
    notified_on = models.DateField(
        null=True,
        blank=True,
        help_text="For a relative: the day they were notified of the child's removal.",
    )
    family_copies = ArrayField(
        models.CharField(max_length=8, choices=CopyChannel.choices),
        default=list,
        blank=True,
        help_text="The ways this person agreed to receive FTM family copies (none: no copy).",
    )

    class Meta:
        ordering = ["kind", "given_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(kind="relative"),
                name="person_notified_is_relative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Relationship(models.Model):
    """How a person is related to a child (a person has a relationship to each child)."""

    class Kind(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        PARENT = "parent", "Parent"
        RESOURCE_PARENT = "resource_parent", "Resource parent"
        GRANDPARENT = "grandparent", "Grandparent"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        SIBLING = "sibling", "Sibling"
        OTHER_RELATIVE = "other_relative", "Other relative"
        FICTIVE_KIN = "fictive_kin", "Family friend (fictive kin)"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "child"], name="relationship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.child}"


class TeamMember(models.Model):
    """A place on one family's team: a professional or mentor in their role, or a parent of the
    case who signs in (`role` "parent", their account linked to their `person`). Removal is
    dated, not deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(
        max_length=32, choices=[(r.value, r.label) for r in Role if r in TEAM_PLACE_ROLES]
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="For a parent's place: the parent of the case this account is. For a parent "
        "mentor's: the parent they support.",
    )
    # The number the family team reaches them on for this family (a work or unit line): with
    # their account's e-mail, the contact details the team page shows.
    phone = models.CharField(max_length=40, blank=True, default="", db_default="")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=Q(removed_at__isnull=True),
                name="team_member_active_unique",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role if r in TEAM_PLACE_ROLES]),
                name="team_member_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.PARENT, person__isnull=False)
                | Q(role=Role.PARENT_MENTOR)
                | ~Q(role=Role.PARENT) & Q(person__isnull=True),
                name="team_member_parent_names_person",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "case"],
                condition=Q(removed_at__isnull=True),
                name="team_member_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Episode(Record):
    """One removal of one child, from removal to discharge."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="episodes")
    removal_date = models.DateField()
    manner = models.CharField(max_length=16, choices=codes.RemovalManner.choices, blank=True)
    reasons = ArrayField(
        models.CharField(max_length=40, choices=codes.RemovalReason.choices),
        default=list,
        blank=True,
    )
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(
        max_length=16, choices=codes.DischargeReason.choices, blank=True
    )
    # when the discharge was recorded (not a package field): it can be undone that day only
    discharge_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["removal_date", "id"]
        indexes = [
            # The CQI figures find a child's episodes through this index, joining on
            # `child_id COLLATE "C"` (`cqi.metrics.EPISODES_SELECT`): the same equality (ids
            # compare byte by byte), which the GiST index of `episode_no_overlap` cannot serve.
            # The planner otherwise probes that one for every child (it prices it lower), ten
            # times slower: 80 ms against 8 for 3,000 children among 100,000. The included
            # columns let a probe read the index alone.
            models.Index(
                Collate("child", "C"),
                name="episode_by_child_for_cqi",
                include=["removal_date", "discharge_date", "discharge_reason", "id"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharge_date__isnull=True) | Q(discharge_date__gte=F("removal_date")),
                name="episode_discharge_after_removal",
            ),
            models.CheckConstraint(
                condition=Q(discharge_date__isnull=True, discharge_reason="")
                | Q(discharge_date__isnull=False) & ~Q(discharge_reason=""),
                name="episode_discharge_reason_with_date",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(discharge_date__isnull=True),
                name="episode_one_open_per_child",
            ),
            ExclusionConstraint(
                name="episode_no_overlap",
                expressions=[
                    ("child", RangeOperators.EQUAL),
                    (
                        DateRange("removal_date", "discharge_date", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
            models.CheckConstraint(
                condition=Q(reasons__contained_by=codes.RemovalReason.values),
                name="episode_reasons_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Removal on {self.removal_date:%-d %b %Y}"

    def days_in_care(self, on: dt.date) -> int:
        """Days from removal to discharge (or `on` while in care): the removal day counts."""
        end = self.discharge_date or on
        return max((end - self.removal_date).days, 0)


class Placement(Record):
    """Where a child lives during an episode, over time."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="placements")
    setting = models.CharField(max_length=24, choices=codes.PlacementSetting.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    caregiver = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    address = models.TextField(blank=True, help_text="Hidden from parent mentors.")

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} since {self.start_date:%-d %b %Y}"


class PermanencyPlan(Record):
    """Primary and concurrent goal from a date; changes are new rows, never edits."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="permanency_plans")
    effective_date = models.DateField()
    primary_goal = models.CharField(max_length=40, choices=codes.PermanencyGoal.choices)
    concurrent_goal = models.CharField(
        max_length=40, choices=codes.PermanencyGoal.choices, blank=True
    )
    reason = models.CharField(max_length=500, blank=True, help_text="Why the plan changed.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["effective_date", "created_at"]
        get_latest_by = ["effective_date", "created_at"]

    def __str__(self) -> str:
        concurrent = (
            f", concurrent {self.get_concurrent_goal_display().lower()}"
            if self.concurrent_goal
            else ""
        )
        return f"{self.get_primary_goal_display()}{concurrent} from {self.effective_date:%-d %b %Y}"


class Hearing(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    hearing_type = models.CharField(max_length=24, choices=codes.HearingType.choices)
    scheduled_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    courtroom = models.CharField(max_length=100, blank=True)
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings",
    )
    status = models.CharField(
        max_length=16, choices=codes.HearingStatus.choices, default=codes.HearingStatus.SCHEDULED
    )
    continuance_reason = models.CharField(max_length=300, blank=True)
    findings = models.TextField(
        blank=True, default="", db_default="", help_text="The court's findings at this hearing."
    )
    # The court's structured findings at a held hearing (null: not recorded).
    reasonable_efforts = models.BooleanField(
        null=True, blank=True, help_text="Did the court find the agency made reasonable efforts?"
    )
    reasonable_efforts_reason = models.CharField(
        max_length=500, blank=True, default="", db_default="", help_text="Why, in a sentence."
    )
    permanency_goal = models.CharField(
        max_length=40,
        choices=codes.PermanencyGoal.choices,
        blank=True,
        default="",
        db_default="",
        help_text="The permanency goal the court considered.",
    )
    permanency_goal_approved = models.BooleanField(
        null=True, blank=True, help_text="Did the court approve that permanency goal?"
    )
    attendance = ArrayField(
        models.CharField(max_length=32, choices=codes.HearingAttendee.choices),
        default=list,
        blank=True,
        help_text="Who was at the hearing, by role.",
    )

    class ActiveEfforts(models.TextChoices):
        """The court's ICWA finding at a hearing of a child who is or may be an Indian child:
        whether active efforts were made to prevent the breakup of the Indian family."""

        MADE = "made", "Yes: active efforts were made"
        NOT_MADE = "not_made", "No: active efforts were not made"
        NO_FINDING = "no_finding", "No finding made"

    active_efforts = models.CharField(
        max_length=16,
        choices=ActiveEfforts.choices,
        blank=True,
        default="",
        db_default="",
        help_text="ICWA: the court's active-efforts finding (where ICWA applies or there is "
        "reason to know). Empty: not recorded.",
    )

    class Meta:
        ordering = ["scheduled_on", "starts_at", "id"]
        indexes = [
            models.Index(fields=["case", "scheduled_on"]),
            # CQI case-months: held hearings per case by date (index-only scans)
            models.Index(
                fields=["case", "scheduled_on"],
                condition=models.Q(status="held"),
                name="hearing_held_by_case",
            ),
        ]
        constraints = [
            # a goal approved (or not) names the goal
            models.CheckConstraint(
                condition=Q(permanency_goal_approved__isnull=True) | ~Q(permanency_goal=""),
                name="hearing_goal_approval_names_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_hearing_type_display()} hearing {self.scheduled_on:%-d %b %Y}"

    def get_attendance_labels(self) -> list[str]:
        return [codes.HearingAttendee(role).label for role in self.attendance]


class CourtRecommendation(Record):
    """The clinician's short recommendation written for the court. Only the clinician writes
    it; the judge reads it only while a release of information naming the court is in force
    (`cases.access.court_releases_in_force`). A new recommendation is a new row: the history
    is kept."""

    MAX_LENGTH = 600

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="court_recommendations")
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_recommendations",
    )
    written_on = models.DateField()
    text = models.CharField(max_length=MAX_LENGTH)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["written_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="court_recommendation_has_text"),
        ]

    def __str__(self) -> str:
        return f"Recommendation for the court, {self.written_on:%-d %b %Y}"


class TribeNotice(Record):
    """ICWA: a tribe a child is or may be a member of (or eligible for membership of), the day
    the notice of the proceeding was sent to it and the day it answered. One row per child and
    tribe; a child with ICWA applying or reason to know and no notice sent is flagged on the
    case page and in the pre-hearing summary (`cases.icwa.selectors`)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="tribe_notices")
    tribe = models.CharField(max_length=200, help_text="The tribe's name, as the tribe gives it.")
    notice_sent_on = models.DateField(null=True, blank=True)
    response_on = models.DateField(null=True, blank=True)
    response = models.CharField(
        max_length=500, blank=True, help_text="What the tribe answered, in a line."
    )

    class Meta:
        ordering = ["tribe", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("tribe"), "child", name="tribe_notice_one_per_child_and_tribe"
            ),
            models.CheckConstraint(
                condition=Q(response_on__isnull=True)
                | Q(notice_sent_on__isnull=False, response_on__gte=F("notice_sent_on")),
                name="tribe_notice_response_after_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice to {self.tribe}"


class HearingOrder(Record):
    """An order the court made at a hearing; the team keeps its implementation status up to
    date, and open orders carry into the next pre-hearing summary."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="orders")
    text = models.CharField(max_length=500, help_text="What the court ordered.")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | ~Q(status="done") & Q(done_on__isnull=True),
                name="hearing_order_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done"]),
                name="hearing_order_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class MaltreatmentReport(Record):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="maltreatment_reports")
    reported_on = models.DateField()
    disposition = models.CharField(max_length=16, choices=codes.MaltreatmentDisposition.choices)

    class Meta:
        ordering = ["reported_on", "id"]

    def __str__(self) -> str:
        return f"Maltreatment report {self.reported_on:%-d %b %Y}: {self.get_disposition_display()}"


class Consent(Record):
    """A release of information: who agreed to share what with whom, until when."""

    class Category(models.TextChoices):
        GENERAL = "general", "Case information"
        HEALTH = "health", "Health"
        MENTAL_HEALTH = "mental_health", "Mental health"
        EDUCATION = "education", "Education and early intervention"
        SUBSTANCE_USE_TREATMENT = (
            "substance_use_treatment",
            "Substance use treatment (42 CFR Part 2)",
        )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    category = models.CharField(max_length=32, choices=Category.choices)
    recipient_role = models.CharField(max_length=32, choices=Role.choices)
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    # Who recorded it and, for a release that would open the recorder's own role to Part 2
    # records, the second person who confirmed it. A release is in force only once
    # `confirmed_at` is set: at once when no confirmation is needed (`consent_record`).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("granted_on")),
                name="consent_expires_after_granted",
            ),
            models.CheckConstraint(
                condition=Q(category="substance_use_treatment", expires_on__isnull=False)
                | ~Q(category="substance_use_treatment"),
                name="consent_part2_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Release of {self.get_category_display().lower()} to "
            f"{self.get_recipient_role_display()}, signed {self.granted_on:%-d %b %Y}"
        )

    # What a consent says. Once revoked, none of it changes again, `revoked_on` included:
    # revocation is final, and consenting again is a new consent (a new row).
    FINAL_FIELDS = (
        "case_id",
        "person_id",
        "category",
        "recipient_role",
        "granted_on",
        "expires_on",
        "revoked_on",
    )

    def clean(self) -> None:
        super().clean()
        if self.revoked_on and self.granted_on and self.revoked_on < self.granted_on:
            raise ValidationError(
                {"revoked_on": "A release cannot be revoked before it was signed."}
            )
        if self._state.adding:
            return
        stored = type(self)._default_manager.filter(pk=self.pk).values(*self.FINAL_FIELDS).first()
        if stored is None or stored["revoked_on"] is None:
            return
        changed = [f for f in self.FINAL_FIELDS if getattr(self, f) != stored[f]]
        if changed:
            raise ValidationError(
                "This release was revoked: a revocation is final. If the person consents "
                "again, record a new consent."
            )

    @property
    def is_part2(self) -> bool:
        return self.category == self.Category.SUBSTANCE_USE_TREATMENT

    @property
    def awaits_confirmation(self) -> bool:
        return self.confirmed_at is None and self.revoked_on is None

    def is_in_force(self, on: dt.date) -> bool:
        return (
            self.confirmed_at is not None
            and self.granted_on <= on
            and (self.expires_on is None or on <= self.expires_on)
            and (self.revoked_on is None or on < self.revoked_on)
        )


# --- Closing, transferring, sealing and purging a case (README "Closing and moving a case") ----


class ClosureReason(models.TextChoices):
    PERMANENCY = "permanency", "Permanency reached"
    TRANSFERRED = "transferred", "Transferred"
    DISMISSED = "dismissed", "Dismissed by the court"
    MOVED = "moved", "Moved out of the area"
    OTHER = "other", "Other"


class CaseClosure(Record):
    """One closing of a case, and its reopening if it was reopened: the case's `closed_on` is
    the date of its closing in force (a closure not reopened). A child still in care when the
    case closed has the reason why in `in_care` ({child id: reason})."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    closed_on = models.DateField()
    reason = models.CharField(max_length=16, choices=ClosureReason.choices)
    note = models.CharField(max_length=500, blank=True, help_text="Needed for 'Other'.")
    in_care = models.JSONField(default=dict, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-closed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ClosureReason.values), name="case_closure_reason_valid"
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="case_closure_other_has_note"
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(reopened_at__isnull=True),
                name="case_closure_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"Closed on {self.closed_on:%-d %b %Y}: {self.get_reason_display()}"


class CaseTransfer(Record):
    """A case sent from one site to another: pending until the receiving site's Community
    Coordinator (or site admin) accepts or declines it. The row is the record at both ends."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for the receiving site"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn by the sending site"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    to_site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=1000, blank=True, help_text="For the receiving site.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_site=F("to_site")), name="case_transfer_to_another_site"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "accepted", "declined", "withdrawn"]),
                name="case_transfer_decision_valid",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(decision="pending"),
                name="case_transfer_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["to_site", "decision"])]

    def __str__(self) -> str:
        return f"Transfer to {self.to_site} ({self.get_decision_display().lower()})"


class PurgeRecord(models.Model):
    """What a purge deleted: the case's id, its site, when it closed, how many rows of each
    table, who purged it, when and why. No personal data (no name, no date of birth)."""

    case_id = models.CharField(max_length=64)
    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    closed_on = models.DateField()
    counts = models.JSONField(default=dict)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purged_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-purged_at", "-id"]

    def __str__(self) -> str:
        return f"Case {self.case_id} purged {self.purged_at:%Y-%m-%d}"


class Document(Record):
    """A file attached to a case, or to one of its hearings or consents: an order, a signed
    release, an evaluation, an IFSP. The bytes live in the `documents` storage (outside the
    web root, or a private bucket) under a random name; the person's own file name is kept
    only as a label. Who may read one follows what it is attached to (`cases.access`).

    Removing a document keeps this row (who uploaded what, who removed it, when) and erases
    the stored bytes: a file put on the wrong family's case is really gone."""

    class Kind(models.TextChoices):
        ORDER = "order", "Court order"
        SIGNED_RELEASE = "signed_release", "Signed release"
        EVALUATION = "evaluation", "Evaluation"
        IFSP = "ifsp", "IFSP (early intervention plan)"

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    # A signed release of substance-use treatment records (42 CFR Part 2) is Part 2 detail of
    # the person who signed it: `part2` and `person` are copied from its consent.
    part2 = models.BooleanField(default=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    document_date = models.DateField(
        null=True, blank=True, help_text="The date on the document (an order's, a signature's)."
    )
    original_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    shared_with_family = models.BooleanField(
        default=False, help_text="The parents of the case may read it on their own page."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["case", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hearing__isnull=True) | Q(consent__isnull=True),
                name="document_one_attachment",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="document_content_type_allowed",
            ),
            models.CheckConstraint(
                condition=Q(part2=False) | Q(person__isnull=False, consent__isnull=False),
                name="document_part2_names_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def attached_to(self) -> str:
        if self.hearing_id:
            return "hearing"
        if self.consent_id:
            return "consent"
        return "case"
