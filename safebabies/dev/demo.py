"""The demo site behind `manage.py seed_demo` (INTERFACES.md): believable synthetic families.

A table of families (`FAMILIES`) drives one builder. Every date is counted from the demo site's
today, so the demo always looks current: hearings in the coming days, family time over the last
weeks, the next FTM on the calendar. Every record has a fixed id ("demo-case-rivera"), so a
second run finds each row and changes nothing; a run on a later day moves the whole demo forward
in time (placements and removals together, so the database's placement-inside-episode rule holds
at every step).

The Rivera family is the case of seed 000 (Jaime, her son Derrick and his resource mother
Dorothy; the family names are invented). Every other name, address and phone number is
invented; phone numbers are in the 555-01xx range kept for fiction.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F

from assessments.models import Screening, Service, ServiceSession
from cases.documents import files
from cases.documents.services import storage as documents_storage
from cases.models import (
    Case,
    CaseClosure,
    CaseTransfer,
    Child,
    ClosureReason,
    Consent,
    Document,
    Episode,
    Hearing,
    HearingOrder,
    MaltreatmentReport,
    PermanencyPlan,
    Person,
    Placement,
    Relationship,
    TeamMember,
    TribeNotice,
)
from community.models import (
    ActActionItem,
    ActDecision,
    ActMeeting,
    ActMember,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
)
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.codes import (
    CancelledBy,
    DischargeReason,
    HearingStatus,
    HearingType,
    Hispanic,
    Icwa,
    Instrument,
    PermanencyGoal,
    PlacementSetting,
    Race,
    RemovalReason,
    ScreeningResult,
    ServiceRecipient,
    ServiceStatus,
    ServiceType,
    Supervision,
    VisitLocation,
    VisitStatus,
)
from safebabies.dev.demo_case_plan import rows as case_plan_rows
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.lib.dates import add_months
from teams.models import CaseNote, Ftm, FtmActionItem, SupportContact
from workforce.models import (
    Consultation,
    SupervisionSession,
    Training,
    TrainingAttendance,
    WellbeingCheckIn,
)

SITE_SLUG = "demo"
SITE_NAME = "Demo County Safe Babies Court Team"
SITE_TIMEZONE = "America/Chicago"
PASSWORD = "safe-babies-demo"  # published in the README: demo logins only  # noqa: S105
EMAIL_DOMAIN = "demo.safebabies.test"

# (key, role, full name): one login for every role, plus a second caseworker on other families.
USERS: tuple[tuple[str, str, str], ...] = (
    ("community_coordinator", Role.COMMUNITY_COORDINATOR, "Renée Caldwell"),
    ("caseworker", Role.CASEWORKER, "Marcus Hill"),
    ("caseworker2", Role.CASEWORKER, "Ana Lucía Ortiz"),
    ("judge", Role.JUDGE, "Hon. Patricia Greene"),
    ("parent_attorney", Role.PARENT_ATTORNEY, "Daniel Kim"),
    ("child_attorney", Role.CHILD_ATTORNEY, "Rachel Osei"),
    ("gal_casa", Role.GAL_CASA, "Linda Park"),
    ("clinician", Role.CLINICIAN, "Dr. Imani Sharpe"),
    ("parent_mentor", Role.PARENT_MENTOR, "Tasha Reynolds"),
    ("site_implementation", Role.SITE_IMPLEMENTATION, "Greg Lindqvist"),
    ("site_admin", Role.SITE_ADMIN, "Priya Raman"),
    ("national", Role.NATIONAL, "Jordan Ellis"),
    ("parent", Role.PARENT, "Jaime Rivera"),
    ("parent_leader", Role.PARENT_LEADER, "Keisha Brown"),
)
# A second site, so that the demo shows a family's case moving between court teams (README "Closing
# and moving a case"): East County, whose Community Coordinator decides the transfer below.
EAST_SLUG = "demo-east"
EAST_NAME = "East County Safe Babies Court Team"
EAST_USERS: tuple[tuple[str, str, str], ...] = (
    ("east_coordinator", Role.COMMUNITY_COORDINATOR, "Tomás Ibarra"),
)
# The Walker family moves to East County: the demo's coordinator has asked East County to take
# their case (pending). Once East County accepts, the case is theirs and the demo leaves it be.
TRANSFER = (
    "walker",
    "Keisha and Andre are moving to East County next month to live with Bernadette, "
    "Zion's grandmother. Zion is at home with both parents; Minding the Baby visits are "
    "weekly and the review hearing is set.",
)
# The work phone each professional of the demo gives the families' teams (the team page).
TEAM_PHONES = {
    "community_coordinator": "555-0100",
    "caseworker": "555-0110",
    "caseworker2": "555-0111",
    "parent_attorney": "555-0120",
    "child_attorney": "555-0121",
    "gal_casa": "555-0122",
    "clinician": "555-0130",
    "parent_mentor": "555-0140",
}
# The demo Community Coordinator's work phone on their account, the one families call or text
# (555-01xx: numbers kept for fiction), the same as on the family teams
COORDINATOR_PHONE = TEAM_PHONES["community_coordinator"]
# The demo parent's account is Jaime Rivera, the mother of the Rivera family (seed 000).
DEMO_PARENT = ("rivera", "jaime")


def email_of(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


# --- The table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kid:
    key: str
    given_name: str
    born: tuple[int, int]  # (months, days) before today
    sex: str
    race: tuple[str, ...]
    hispanic: str
    icwa: str = Icwa.DOES_NOT_APPLY
    language: str = "English"
    asq3: str = ScreeningResult.NO_CONCERN
    asqse2: str = ScreeningResult.NO_CONCERN


@dataclass(frozen=True)
class Adult:
    key: str
    kind: str  # Person.Kind
    given_name: str
    family_name: str
    relationship: str  # Relationship.Kind, to every child of the family
    language: str = "English"
    race: tuple[str, ...] = ()
    hispanic: str = Hispanic.NO
    phone: str = ""
    address: str = ""
    # a relative: days after the removal they were notified of it (None: not yet; README "ICWA
    # and relatives": due within 30 days of the removal)
    notified: int | None = None
    # how they agreed to receive each FTM's family copy (Person.family_copies; none: no copy)
    copies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stay:
    """A placement of every child of the family, from `start` days after removal until the
    next stay starts (or discharge)."""

    setting: str
    caregiver: str | None  # Adult key
    start: int
    end_reason: str = ""
    address: str = ""


@dataclass(frozen=True)
class Plan:
    after: int  # days after removal: 0 is day 1
    primary: str
    concurrent: str
    reason: str = ""


@dataclass(frozen=True)
class Svc:
    service_type: str
    recipient: str
    provider: str
    referred: int  # days after removal (or enrolment, in home)
    status: str
    started: int | None = None
    ended: int | None = None
    evidence_based: bool = True
    child: str | None = None  # Kid key for a child's own service


@dataclass(frozen=True)
class ParentScreen:
    instrument: str
    after: int  # days after removal (or enrolment)
    result: str
    subject: str = codes.ScreeningSubject.PARENT


@dataclass(frozen=True)
class Release:
    adult: str
    category: str  # Consent.Category
    recipient_role: str
    after: int  # days after enrolment
    months: int | None = None


@dataclass(frozen=True)
class FamilyTime:
    per_week: int
    supervision: tuple[str, ...]  # first half of the window, then the second
    location: str
    starts_at: dt.time = dt.time(10, 0)


@dataclass(frozen=True)
class Family:
    key: str
    family_name: str
    kids: tuple[Kid, ...]
    adults: tuple[Adult, ...]
    team: tuple[str, ...]  # demo user keys besides the Community Coordinator (on every team)
    opened: int  # days ago
    removal: int | None  # days ago; None for an in-home enrolment
    reasons: tuple[str, ...] = ()
    manner: str = codes.RemovalManner.COURT_ORDERED
    stays: tuple[Stay, ...] = ()
    discharge: tuple[int, str] | None = None  # (days ago, reason)
    # an earlier time in care of every child, before this removal (a re-entry): (removal days
    # ago, discharge days ago, discharge reason, setting of its one placement)
    earlier: tuple[int, int, str, str] | None = None
    closed: int | None = None  # days ago
    plans: tuple[Plan, ...] = ()
    next_hearing: tuple[int, str] | None = None  # (days ahead, type) for an open case
    continued_hearing: int | None = None  # index of a past hearing that was continued
    family_time: FamilyTime | None = None
    no_show_every: int = 0
    observations: tuple[str, ...] = ()
    going_well: str = ""
    worries: str = ""
    action_items: tuple[tuple[str, str], ...] = ()  # (what, owner role; "" = the parent)
    services: tuple[Svc, ...] = ()
    parent_screens: tuple[ParentScreen, ...] = ()
    maltreatment: tuple[tuple[int, str], ...] = ()  # (days relative to removal, disposition)
    releases: tuple[Release, ...] = ()
    icwa_note: str = ""
    # ICWA: each tribe noticed for the children (ICWA applies or reason to know), with the days
    # after the removal the notice was sent (None: not yet) and the tribe answered (None:
    # pending)
    tribes: tuple[tuple[str, int | None, int | None], ...] = ()

    @property
    def case_id(self) -> str:
        return f"demo-case-{self.key}"


BLACK, WHITE, ASIAN, AIAN = Race.BLACK, Race.WHITE, Race.ASIAN, Race.AMERICAN_INDIAN_ALASKA_NATIVE
P, R = Person.Kind, Relationship.Kind
CW, CLIN, PA, CA, GAL, PM = (
    "caseworker",
    "clinician",
    "parent_attorney",
    "child_attorney",
    "gal_casa",
    "parent_mentor",
)

# The table is kept compact, one family per block.
# fmt: off
FAMILIES: tuple[Family, ...] = (
    Family(
        key="rivera",
        family_name="Rivera",
        kids=(
            Kid("derrick", "Derrick", (26, 4), codes.Sex.MALE, (BLACK, WHITE), Hispanic.NO,
                asq3=ScreeningResult.MONITOR, asqse2=ScreeningResult.REFER),
        ),
        adults=(
            Adult("jaime", P.PARENT, "Jaime", "Rivera", R.MOTHER, race=(BLACK, WHITE),
                  phone="555-0101", copies=("text", "paper")),
            Adult("dorothy", P.RESOURCE_PARENT, "Dorothy", "Whitaker", R.RESOURCE_PARENT,
                  race=(BLACK,), phone="555-0102", address="418 Magnolia Lane, Demo City"),
        ),
        team=(CW, CLIN, PA, CA, GAL, PM),
        opened=70,
        removal=91,
        reasons=(RemovalReason.PARENT_DRUGS, RemovalReason.NEGLECT,
                 RemovalReason.INADEQUATE_HOUSING),
        stays=(Stay(PlacementSetting.NONRELATIVE_FOSTER, "dorothy", 0,
                    address="418 Magnolia Lane, Demo City"),),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.ADOPTION),),
        next_hearing=(3, HearingType.REVIEW),
        family_time=FamilyTime(2, (Supervision.SUPERVISED,), VisitLocation.COMMUNITY,
                               dt.time(15, 30)),
        no_show_every=5,
        observations=(
            "Derrick ran to Jaime at the door; she had brought the crackers he likes.",
            "Climbing on the couch was hard to redirect; the CASA showed offering two choices "
            "and Jaime tried it the second time.",
            "Jaime sang the bath song from home and Derrick settled on her lap.",
            "Jaime put her phone away after the first ten minutes; they built a block tower.",
        ),
        going_well="Jaime says Derrick lights up when he sees her and she wants him home. "
        "Dorothy says his bedtime is getting a little easier.",
        worries="Jaime worries Derrick is sad because they are apart. Finding a place to "
        "live is her biggest stress; she does not think she needs treatment.",
        action_items=(
            ("Jaime will visit the housing navigator at the family resource center.", ""),
            ("Call the treatment intake line with Jaime; go to the first appointment together.",
             PM),
            ("Invite Jaime to the next child-parent psychotherapy session.", CLIN),
            ("Ask the court for one more family-time visit a week.", PA),
            ("Send Dorothy the childcare drop-off routine the team agreed on.", CW),
            ("Share the ASQ:SE-2 results with the family team.", CLIN),
        ),
        services=(
            Svc(ServiceType.CHILD_PARENT_PSYCHOTHERAPY, ServiceRecipient.DYAD,
                "Bright Start Infant Mental Health", 24, ServiceStatus.ACTIVE, started=40,
                child="derrick"),
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C",
                5, ServiceStatus.ACTIVE, started=33, child="derrick"),
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "New Roads Recovery Center", 30, ServiceStatus.WAITLISTED),
            Svc(ServiceType.HOUSING, ServiceRecipient.PARENT, "Demo County Housing Navigators",
                26, ServiceStatus.ACTIVE, started=45, evidence_based=False),
        ),
        parent_screens=(ParentScreen(Instrument.SUBSTANCE_USE, 22, ScreeningResult.REFER),
                        ParentScreen(Instrument.PHQ9, 22, ScreeningResult.MONITOR),
                        # screening the whole family (issue 22): housing first
                        ParentScreen(Instrument.HOUSING, 23, ScreeningResult.REFER),
                        ParentScreen(Instrument.BASIC_NEEDS, 23, ScreeningResult.REFER),
                        ParentScreen(Instrument.IPV, 23, ScreeningResult.NO_CONCERN),
                        ParentScreen(Instrument.TRAUMA, 24, ScreeningResult.MONITOR)),
        maltreatment=((0, codes.MaltreatmentDisposition.SUBSTANTIATED),),
        releases=(
            Release("jaime", Consent.Category.GENERAL, Role.CASEWORKER, 2),
            Release("jaime", Consent.Category.SUBSTANCE_USE_TREATMENT, Role.CASEWORKER, 10, 6),
            Release("jaime", Consent.Category.SUBSTANCE_USE_TREATMENT, Role.COMMUNITY_COORDINATOR,
                    10, 6),
            # the clinician's findings, to the court: the recommendation in the summary
            Release("jaime", Consent.Category.MENTAL_HEALTH, Role.JUDGE, 12, 12),
        ),
    ),
    Family(
        key="morales",
        family_name="Morales",
        kids=(Kid("isabella", "Isabella", (2, 6), codes.Sex.FEMALE, (WHITE,), Hispanic.YES,
                  language="Spanish"),),
        adults=(
            Adult("lucia", P.PARENT, "Lucía", "Morales", R.MOTHER, "Spanish", (WHITE,),
                  Hispanic.YES, "555-0111", copies=("paper",)),
            Adult("carmen", P.RESOURCE_PARENT, "Carmen", "Ortega", R.GRANDPARENT, "Spanish",
                  (WHITE,), Hispanic.YES, "555-0112", "77 Sunflower Court, Demo City"),
        ),
        team=(CW, PA, PM),
        opened=2,
        removal=3,
        reasons=(RemovalReason.PRENATAL_SUBSTANCE_EXPOSURE, RemovalReason.PARENT_DRUGS),
        stays=(Stay(PlacementSetting.RELATIVE_FOSTER, "carmen", 0,
                    address="77 Sunflower Court, Demo City"),),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.RELATIVE),),
        next_hearing=(4, HearingType.ADJUDICATION),
        family_time=FamilyTime(4, (Supervision.SUPERVISED,), VisitLocation.RESOURCE_HOME,
                               dt.time(11, 0)),
        observations=("Lucía fed Isabella and burped her gently; Carmen stayed close by.",),
        going_well="Isabella is with her grandmother, who knows her and speaks Spanish with her.",
        worries="Lucía worries she will not see Isabella enough in the first weeks.",
        action_items=(("Set up family time at Carmen's home four times a week.", CW),),
        services=(
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C", 1,
                ServiceStatus.REFERRED, child="isabella"),
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "Nuevo Camino (Spanish-language program)", 2, ServiceStatus.REFERRED),
        ),
    ),
    Family(
        key="bennett",
        family_name="Bennett",
        kids=(Kid("ava", "Ava", (20, 11), codes.Sex.FEMALE, (WHITE,), Hispanic.NO,
                  asq3=ScreeningResult.MONITOR),),
        adults=(
            Adult("crystal", P.PARENT, "Crystal", "Bennett", R.MOTHER, race=(WHITE,),
                  phone="555-0121"),
            Adult("josh", P.PARENT, "Josh", "Bennett", R.FATHER, race=(WHITE,), phone="555-0122"),
            Adult("joyce", P.RESOURCE_PARENT, "Joyce", "Monroe", R.RESOURCE_PARENT,
                  race=(BLACK,), phone="555-0123"),
            Adult("sara", P.RESOURCE_PARENT, "Sara", "Bennett", R.AUNT_UNCLE, race=(WHITE,),
                  phone="555-0124", address="9 Orchard Row, Lakeside"),
        ),
        team=("caseworker2", CLIN, CA),
        opened=170,
        removal=180,
        reasons=(RemovalReason.NEGLECT, RemovalReason.PARENT_ALCOHOL),
        stays=(
            Stay(PlacementSetting.NONRELATIVE_FOSTER, "joyce", 0,
                 "Moved to her paternal aunt once the kinship home study was approved."),
            Stay(PlacementSetting.RELATIVE_FOSTER, "sara", 12, address="9 Orchard Row, Lakeside"),
        ),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.GUARDIANSHIP),),
        next_hearing=(1, HearingType.REVIEW),
        continued_hearing=4,
        family_time=FamilyTime(3, (Supervision.SUPERVISED, Supervision.MONITORED),
                               VisitLocation.COMMUNITY, dt.time(16, 0)),
        observations=(
            "Crystal and Josh took Ava to the library story time; she brought Crystal books.",
            "Ava fell and cried; Josh picked her up and named what happened. She calmed quickly.",
            "Both parents arrived early and had a snack ready.",
        ),
        going_well="Both parents have come to nearly every visit and Ava reaches for them.",
        worries="Josh's new job hours may clash with the Tuesday visit.",
        action_items=(
            ("Move the Tuesday visit to the evening to fit Josh's shifts.", "caseworker"),
            ("Crystal will attend her outpatient group twice a week.", ""),
            ("Ask the court whether family time can step down to monitored.", CA),
            ("Share Ava's Part C evaluation date with Sara.", "caseworker"),
        ),
        services=(
            Svc(ServiceType.CIRCLE_OF_SECURITY, ServiceRecipient.PARENT, "Family Roots Center",
                20, ServiceStatus.ACTIVE, started=45),
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "Lakeside Outpatient", 14, ServiceStatus.ACTIVE, started=28),
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C", 6,
                ServiceStatus.ACTIVE, started=30, child="ava"),
        ),
        parent_screens=(ParentScreen(Instrument.SUBSTANCE_USE, 12, ScreeningResult.REFER),),
        maltreatment=((-2, codes.MaltreatmentDisposition.INDICATED),),
    ),
    Family(
        key="thompson",
        family_name="Thompson",
        kids=(Kid("elijah", "Elijah", (30, 2), codes.Sex.MALE, (BLACK,), Hispanic.NO),),
        adults=(
            Adult("brianna", P.PARENT, "Brianna", "Thompson", R.MOTHER, race=(BLACK,),
                  phone="555-0131", address="210 Cedar Street, Apt 4, Demo City"),
            Adult("maria", P.RESOURCE_PARENT, "Maria", "Delgado", R.RESOURCE_PARENT,
                  race=(WHITE,), hispanic=Hispanic.YES, phone="555-0132"),
            Adult("gloria", P.RELATIVE, "Gloria", "Thompson", R.GRANDPARENT, race=(BLACK,),
                  phone="555-0133"),
        ),
        team=(CW, CLIN, GAL, PA),
        opened=265,
        removal=275,
        reasons=(RemovalReason.CARETAKER_INABILITY_TO_COPE, RemovalReason.INADEQUATE_HOUSING),
        stays=(
            Stay(PlacementSetting.NONRELATIVE_FOSTER, "maria", 0,
                 "Trial home visit with his mother began."),
            Stay(PlacementSetting.TRIAL_HOME_VISIT, "brianna", 245),
        ),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.ADOPTION),),
        next_hearing=(6, HearingType.REVIEW),
        family_time=FamilyTime(3, (Supervision.MONITORED, Supervision.OVERNIGHT),
                               VisitLocation.FAMILY_HOME, dt.time(17, 0)),
        observations=(
            "Elijah showed Brianna his new shoes; she made dinner and they read two books.",
            "Overnight went well; Brianna kept the bedtime routine Maria uses.",
        ),
        going_well="Elijah is home with Brianna on a trial home visit; Maria still babysits "
        "on Saturdays and the two mothers text each other.",
        worries="Brianna worries about childcare when her new job starts.",
        action_items=(
            ("Apply for the childcare subsidy before the job starts.", ""),
            ("Visit the home during the trial home visit and report to the team.", "caseworker"),
            ("Plan the last child-parent psychotherapy sessions and the goodbye with Maria.",
             CLIN),
        ),
        services=(
            Svc(ServiceType.CHILD_PARENT_PSYCHOTHERAPY, ServiceRecipient.DYAD,
                "Bright Start Infant Mental Health", 15, ServiceStatus.ACTIVE, started=40,
                child="elijah"),
            Svc(ServiceType.HOUSING, ServiceRecipient.PARENT, "Demo County Housing Authority", 12,
                ServiceStatus.COMPLETED, started=30, ended=200, evidence_based=False),
            Svc(ServiceType.CHILD_CARE, ServiceRecipient.CHILD, "Little Oaks Early Learning", 240,
                ServiceStatus.REFERRED, evidence_based=False, child="elijah"),
        ),
        parent_screens=(ParentScreen(Instrument.PHQ9, 11, ScreeningResult.REFER),),
    ),
    Family(
        key="nguyen",
        family_name="Nguyen",
        kids=(Kid("lily", "Lily", (31, 20), codes.Sex.FEMALE, (ASIAN,), Hispanic.NO,
                  language="Vietnamese"),),
        adults=(
            Adult("thao", P.PARENT, "Thao", "Nguyen", R.MOTHER, "Vietnamese", (ASIAN,),
                  phone="555-0141"),
            Adult("minh", P.PARENT, "Minh", "Nguyen", R.FATHER, "Vietnamese", (ASIAN,),
                  phone="555-0142"),
            Adult("pat", P.RESOURCE_PARENT, "Pat", "Holloway", R.RESOURCE_PARENT, race=(WHITE,),
                  phone="555-0143"),
        ),
        team=(CW, PA),
        opened=392,
        removal=400,
        reasons=(RemovalReason.PHYSICAL_ABUSE,),
        stays=(
            Stay(PlacementSetting.NONRELATIVE_FOSTER, "pat", 0,
                 "Trial home visit with her parents began."),
            Stay(PlacementSetting.TRIAL_HOME_VISIT, "thao", 260, "Reunified."),
        ),
        discharge=(100, DischargeReason.REUNIFICATION),
        closed=90,
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.RELATIVE),),
        family_time=FamilyTime(3, (Supervision.MONITORED, Supervision.UNSUPERVISED),
                               VisitLocation.FAMILY_HOME, dt.time(16, 30)),
        observations=("Lily napped on Minh's chest; Thao cooked and talked her through it.",),
        going_well="Lily is home. Thao and Minh finished the parenting program together.",
        worries="The family would like an interpreter at every meeting, not only in court.",
        action_items=(
            ("Book a Vietnamese interpreter for every FTM.", "community_coordinator"),
            ("Thao and Minh will finish the last parenting sessions.", ""),
        ),
        services=(
            Svc(ServiceType.PARENTING, ServiceRecipient.PARENT, "Family Roots Center", 10,
                ServiceStatus.COMPLETED, started=25, ended=200),
            Svc(ServiceType.PROMOTING_FIRST_RELATIONSHIPS, ServiceRecipient.DYAD,
                "Bright Start Infant Mental Health", 15, ServiceStatus.COMPLETED, started=35,
                ended=280, child="lily"),
        ),
    ),
    Family(
        key="castillo",
        family_name="Castillo",
        kids=(
            Kid("santiago", "Santiago", (30, 3), codes.Sex.MALE, (WHITE,), Hispanic.YES,
                language="Spanish", asq3=ScreeningResult.REFER),
            Kid("valentina", "Valentina", (10, 18), codes.Sex.FEMALE, (WHITE,), Hispanic.YES,
                language="Spanish"),
        ),
        adults=(
            Adult("rosa", P.PARENT, "Rosa", "Castillo", R.MOTHER, "Spanish", (WHITE,),
                  Hispanic.YES, "555-0151"),
            Adult("javier", P.PARENT, "Javier", "Castillo", R.FATHER, "Spanish", (WHITE,),
                  Hispanic.YES, "555-0152"),
            Adult("elena", P.RESOURCE_PARENT, "Elena", "Vega", R.RESOURCE_PARENT, "Spanish",
                  (WHITE,), Hispanic.YES, "555-0153", "55 Riverbend Drive, Demo City"),
        ),
        team=(CW, CLIN, PM, GAL),
        opened=40,
        removal=45,
        reasons=(RemovalReason.NEGLECT, RemovalReason.INADEQUATE_HOUSING),
        # a respite weekend (not a move: README "Placement changes"), then back with Elena
        stays=(
            Stay(PlacementSetting.NONRELATIVE_FOSTER, "elena", 0,
                 "Respite weekend while Elena was at a family funeral.",
                 address="55 Riverbend Drive, Demo City"),
            Stay(PlacementSetting.RESPITE, None, 25, "Back with Elena after the weekend."),
            Stay(PlacementSetting.NONRELATIVE_FOSTER, "elena", 27,
                 address="55 Riverbend Drive, Demo City"),
        ),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.RELATIVE),),
        next_hearing=(2, HearingType.DISPOSITION),
        family_time=FamilyTime(3, (Supervision.SUPERVISED,), VisitLocation.AGENCY,
                               dt.time(10, 30)),
        no_show_every=9,
        observations=(
            "Santiago and Valentina both went straight to Rosa; Javier played fútbol with "
            "Santiago in the yard.",
            "Rosa nursed Valentina and sang in Spanish; Santiago showed them his drawings.",
        ),
        going_well="The brothers and sister are together with a Spanish-speaking resource "
        "family; Rosa and Javier have not missed an FTM.",
        worries="Rosa and Javier are staying with friends and need a place big enough for "
        "the children.",
        action_items=(
            ("Bring the rental applications to the housing navigator.", ""),
            ("Get Santiago's speech evaluation scheduled with Part C.", "caseworker"),
            ("Find a Spanish-speaking parent mentor group.", PM),
        ),
        services=(
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C", 4,
                ServiceStatus.WAITLISTED, child="santiago"),
            Svc(ServiceType.HOUSING, ServiceRecipient.FAMILY, "Demo County Housing Navigators", 6,
                ServiceStatus.ACTIVE, started=15, evidence_based=False),
            Svc(ServiceType.CONCRETE_NEEDS, ServiceRecipient.FAMILY, "Demo County Diaper Bank", 2,
                ServiceStatus.COMPLETED, started=3, ended=3, evidence_based=False),
        ),
        parent_screens=(ParentScreen(Instrument.EPDS, 10, ScreeningResult.MONITOR),),
    ),
    Family(
        key="walker",
        family_name="Walker",
        kids=(Kid("zion", "Zion", (14, 9), codes.Sex.MALE, (BLACK,), Hispanic.NO),),
        adults=(
            Adult("keisha", P.PARENT, "Keisha", "Walker", R.MOTHER, race=(BLACK,),
                  phone="555-0161"),
            Adult("andre", P.PARENT, "Andre", "Walker", R.FATHER, race=(BLACK,), phone="555-0162"),
            Adult("bernadette", P.SUPPORT, "Bernadette", "Walker", R.GRANDPARENT, race=(BLACK,),
                  phone="555-0163"),
        ),
        team=("caseworker2", PM),
        opened=120,
        removal=None,
        next_hearing=(8, HearingType.REVIEW),
        going_well="Zion is at home with both parents; Keisha says the home visits help her "
        "feel less alone.",
        worries="Andre worries about money since his hours were cut.",
        action_items=(
            ("Keisha will go to the Minding the Baby visits every week.", ""),
            ("Connect Andre with the workforce center.", PM),
            ("Check that Zion's well-child visit is booked.", "caseworker"),
        ),
        services=(
            Svc(ServiceType.MINDING_THE_BABY, ServiceRecipient.DYAD,
                "Demo County Minding the Baby team", 5, ServiceStatus.ACTIVE, started=19,
                child="zion"),
            Svc(ServiceType.CONCRETE_NEEDS, ServiceRecipient.FAMILY, "Community Action Agency", 30,
                ServiceStatus.COMPLETED, started=32, ended=40, evidence_based=False),
        ),
        parent_screens=(ParentScreen(Instrument.EPDS, 7, ScreeningResult.REFER),),
    ),
    Family(
        key="harper",
        family_name="Harper",
        kids=(Kid("mason", "Mason", (27, 15), codes.Sex.MALE, (WHITE,), Hispanic.NO),),
        adults=(
            Adult("ashley", P.PARENT, "Ashley", "Harper", R.MOTHER, race=(WHITE,),
                  phone="555-0171"),
            Adult("karen", P.RESOURCE_PARENT, "Karen", "Lutz", R.RESOURCE_PARENT, race=(WHITE,),
                  phone="555-0172", address="3 Juniper Way, Lakeside"),
        ),
        team=(CW, PA, CA, GAL),
        opened=445,
        removal=455,
        earlier=(640, 545, DischargeReason.REUNIFICATION, PlacementSetting.RELATIVE_FOSTER),
        reasons=(RemovalReason.PARENT_DRUGS, RemovalReason.NEGLECT),
        stays=(Stay(PlacementSetting.NONRELATIVE_FOSTER, "karen", 0,
                    address="3 Juniper Way, Lakeside"),),
        plans=(
            Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.ADOPTION),
            Plan(356, PermanencyGoal.ADOPTION, PermanencyGoal.REUNIFICATION,
                 "Permanency hearing: after a year the court changed the primary goal to "
                 "adoption by the Lutz family, Mason's home since he was one; reunification "
                 "stays the concurrent goal while Ashley keeps working on recovery."),
        ),
        next_hearing=(9, HearingType.TERMINATION),
        family_time=FamilyTime(1, (Supervision.SUPERVISED,), VisitLocation.AGENCY,
                               dt.time(13, 0)),
        no_show_every=3,
        observations=("Ashley brought photos of Mason as a baby and they looked at them "
                      "together.",),
        going_well="Mason is thriving with Karen; Ashley and Karen have met for coffee and "
        "talk about staying in touch.",
        worries="Ashley is afraid she will lose contact with Mason.",
        action_items=(
            ("Talk with Ashley and Karen about an openness agreement.", "community_coordinator"),
            ("Ashley will call her sponsor before each visit.", ""),
        ),
        services=(
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "New Roads Recovery Center", 15, ServiceStatus.CLOSED_UNSUCCESSFUL, started=40,
                ended=150),
            Svc(ServiceType.ABC, ServiceRecipient.DYAD, "Bright Start Infant Mental Health", 20,
                ServiceStatus.COMPLETED, started=35, ended=120, child="mason"),
        ),
    ),
    Family(
        key="begay",
        family_name="Begay",
        kids=(Kid("kai", "Kai", (11, 2), codes.Sex.MALE, (AIAN, WHITE), Hispanic.NO,
                  icwa=Icwa.REASON_TO_KNOW),),
        adults=(
            Adult("tyler", P.PARENT, "Tyler", "Begay", R.FATHER, race=(AIAN,), phone="555-0181"),
            Adult("megan", P.PARENT, "Megan", "Price", R.MOTHER, race=(WHITE,), phone="555-0182"),
            Adult("loretta", P.RESOURCE_PARENT, "Loretta", "Begay", R.GRANDPARENT, race=(AIAN,),
                  phone="555-0183", address="1200 Mesa View Road, Demo County"),
            # relatives identified at the removal: Alice was told within a week, Raymond's
            # notice is still due (the case page and the pre-hearing summary flag it)
            Adult("alice", P.RELATIVE, "Alice", "Begay", R.AUNT_UNCLE, race=(AIAN,),
                  phone="555-0184", notified=6),
            Adult("raymond", P.RELATIVE, "Raymond", "Yazzie", R.OTHER_RELATIVE, race=(AIAN,),
                  phone="555-0185"),
        ),
        team=(CW, CA),
        opened=18,
        removal=20,
        reasons=(RemovalReason.PHYSICAL_ABUSE,),
        stays=(Stay(PlacementSetting.RELATIVE_FOSTER, "loretta", 0,
                    address="1200 Mesa View Road, Demo County"),),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.RELATIVE),),
        next_hearing=(5, HearingType.ADJUDICATION),
        family_time=FamilyTime(3, (Supervision.SUPERVISED,), VisitLocation.RESOURCE_HOME,
                               dt.time(14, 0)),
        observations=("Tyler changed Kai and played peekaboo; Loretta told Kai stories about "
                      "his great-grandfather.",),
        going_well="Kai is with his paternal grandmother, who has raised four children and "
        "keeps him close to his relatives.",
        worries="Tyler and Megan want to know when the tribe will answer the notice.",
        action_items=(
            ("Send the ICWA notice to the tribe and the BIA; call the tribal ICWA worker.",
             "caseworker"),
            ("Ask Loretta which family members can help with transport to family time.",
             "community_coordinator"),
        ),
        services=(
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C", 3,
                ServiceStatus.REFERRED, child="kai"),
        ),
        icwa_note="ICWA: Tyler reports Navajo Nation heritage through his mother; notice has "
        "been sent and the court is treating Kai as an Indian child until the tribe answers.",
        tribes=(("Navajo Nation", 3, None),),
    ),
    Family(
        key="johnson",
        family_name="Johnson",
        kids=(Kid("amara", "Amara", (34, 1), codes.Sex.FEMALE, (BLACK,), Hispanic.NO),),
        adults=(
            Adult("tiana", P.PARENT, "Tiana", "Johnson", R.MOTHER, race=(BLACK,),
                  phone="555-0191"),
            Adult("bernice", P.RESOURCE_PARENT, "Bernice", "Johnson", R.GRANDPARENT,
                  race=(BLACK,), phone="555-0192", address="48 Dogwood Street, Demo City"),
        ),
        team=("caseworker2",),
        opened=490,
        removal=500,
        reasons=(RemovalReason.PARENT_INCARCERATION, RemovalReason.NEGLECT),
        stays=(Stay(PlacementSetting.RELATIVE_FOSTER, "bernice", 0, "Guardianship granted.",
                    address="48 Dogwood Street, Demo City"),),
        discharge=(50, DischargeReason.GUARDIANSHIP),
        closed=40,
        plans=(
            Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.GUARDIANSHIP),
            Plan(300, PermanencyGoal.GUARDIANSHIP, PermanencyGoal.REUNIFICATION,
                 "Tiana asked the court for her mother to become Amara's guardian while she "
                 "finishes her sentence; the team agreed."),
        ),
        family_time=FamilyTime(1, (Supervision.MONITORED,), VisitLocation.VIRTUAL,
                               dt.time(18, 0)),
        observations=("Video call: Amara showed Tiana her drawing and they sang together.",),
        going_well="Amara is settled with her grandmother, who will be her guardian.",
        worries="Keeping Tiana part of Amara's life after guardianship.",
        action_items=(("Set a weekly video call between Amara and Tiana.", "caseworker"),),
        services=(
            Svc(ServiceType.PARENTING, ServiceRecipient.PARENT, "Reentry Parenting Program", 30,
                ServiceStatus.COMPLETED, started=60, ended=240),
        ),
    ),
    Family(
        key="lopez",
        family_name="Lopez",
        kids=(Kid("sofia", "Sofia", (32, 7), codes.Sex.FEMALE, (WHITE,), Hispanic.YES),),
        adults=(
            Adult("jessica", P.PARENT, "Jessica", "Lopez", R.MOTHER, race=(WHITE,),
                  hispanic=Hispanic.YES, phone="555-0104"),
            Adult("mateo", P.PARENT, "Mateo", "Lopez", R.FATHER, "Spanish", (WHITE,),
                  Hispanic.YES, "555-0105"),
            Adult("helen", P.RESOURCE_PARENT, "Helen", "Carter", R.RESOURCE_PARENT,
                  race=(BLACK,), phone="555-0106"),
        ),
        team=("caseworker2", CLIN, PA),
        opened=340,
        removal=350,
        reasons=(RemovalReason.NEGLECT, RemovalReason.PARENT_ALCOHOL),
        stays=(Stay(PlacementSetting.NONRELATIVE_FOSTER, "helen", 0),),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.GUARDIANSHIP),),
        next_hearing=(6, HearingType.PERMANENCY),
        family_time=FamilyTime(4, (Supervision.UNSUPERVISED, Supervision.OVERNIGHT),
                               VisitLocation.FAMILY_HOME, dt.time(17, 30)),
        observations=("Sofia stayed the weekend; Mateo took her to the park and Jessica did "
                      "bath and bedtime.",),
        going_well="Family time is now overnight at home; Sofia asks for her papá.",
        worries="Jessica worries about relapse when Sofia comes home.",
        action_items=(
            ("Write a relapse-prevention plan with the family team.", CLIN),
            ("Ask the court at the permanency hearing for a trial home visit.", PA),
        ),
        services=(
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "Lakeside Outpatient", 10, ServiceStatus.COMPLETED, started=20, ended=220),
            Svc(ServiceType.CHILD_PARENT_PSYCHOTHERAPY, ServiceRecipient.DYAD,
                "Bright Start Infant Mental Health", 25, ServiceStatus.ACTIVE, started=60,
                child="sofia"),
        ),
    ),
    Family(
        key="sullivan",
        family_name="Sullivan",
        kids=(Kid("noah", "Noah", (1, 20), codes.Sex.MALE, (WHITE,), Hispanic.NO),),
        adults=(
            Adult("kayla", P.PARENT, "Kayla", "Sullivan", R.MOTHER, race=(WHITE,),
                  phone="555-0107"),
            Adult("beth", P.RESOURCE_PARENT, "Beth", "Lindgren", R.RESOURCE_PARENT,
                  race=(WHITE,), phone="555-0108"),
        ),
        team=("caseworker2", CLIN, PM, PA),
        opened=45,
        removal=50,
        reasons=(RemovalReason.PRENATAL_SUBSTANCE_EXPOSURE,),
        stays=(Stay(PlacementSetting.NONRELATIVE_FOSTER, "beth", 0),),
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.ADOPTION),),
        next_hearing=(10, HearingType.REVIEW),
        family_time=FamilyTime(5, (Supervision.SUPERVISED,), VisitLocation.THERAPEUTIC,
                               dt.time(9, 30)),
        observations=("Kayla held Noah skin to skin and he fell asleep on her.",
                      "Kayla noticed Noah's hunger cues before he cried."),
        going_well="Kayla has stayed in her residential program and sees Noah five days a "
        "week at the program's family room.",
        worries="What happens when the residential program ends.",
        action_items=(
            ("Plan the step-down from residential to outpatient treatment.", "caseworker"),
            ("Kayla will keep a feeding and sleep log to share with Beth.", ""),
        ),
        services=(
            Svc(ServiceType.SUBSTANCE_USE_TREATMENT, ServiceRecipient.PARENT,
                "Harbor House Residential", 0, ServiceStatus.ACTIVE, started=2),
            Svc(ServiceType.EARLY_INTERVENTION, ServiceRecipient.CHILD, "Demo County Part C", 3,
                ServiceStatus.ACTIVE, started=20, child="noah"),
            Svc(ServiceType.MEDICAL, ServiceRecipient.CHILD, "Demo Children's Hospital NAS clinic",
                0, ServiceStatus.COMPLETED, started=0, ended=14, evidence_based=False,
                child="noah"),
        ),
        parent_screens=(ParentScreen(Instrument.EPDS, 5, ScreeningResult.MONITOR),),
        maltreatment=((0, codes.MaltreatmentDisposition.SUBSTANTIATED),),
    ),
    Family(
        key="brooks",
        family_name="Brooks",
        kids=(Kid("liam", "Liam", (33, 25), codes.Sex.MALE, (BLACK, WHITE), Hispanic.NO),),
        adults=(
            Adult("corey", P.PARENT, "Corey", "Brooks", R.FATHER, race=(BLACK,),
                  phone="555-0109"),
            Adult("denise", P.RESOURCE_PARENT, "Denise", "Brooks", R.AUNT_UNCLE, race=(BLACK,),
                  phone="555-0110"),
        ),
        team=("caseworker2",),
        opened=410,
        removal=420,
        reasons=(RemovalReason.NEGLECT,),
        stays=(Stay(PlacementSetting.RELATIVE_FOSTER, "denise", 0, "Reunified with his father."),),
        discharge=(150, DischargeReason.REUNIFICATION),
        closed=140,
        plans=(Plan(0, PermanencyGoal.REUNIFICATION, PermanencyGoal.RELATIVE),),
        family_time=FamilyTime(3, (Supervision.MONITORED, Supervision.UNSUPERVISED),
                               VisitLocation.COMMUNITY, dt.time(16, 0)),
        observations=("Corey and Liam fed the ducks; Corey packed his favourite snack.",),
        going_well="Liam is home with his dad, and Aunt Denise still has him on Sundays.",
        worries="Corey wants a plan for after-school care.",
        action_items=(("Find after-school care near Corey's work.", "caseworker"),),
        services=(
            Svc(ServiceType.PARENTING, ServiceRecipient.PARENT, "Dads Matter", 12,
                ServiceStatus.COMPLETED, started=20, ended=150),
        ),
    ),
)
# fmt: on


# --- The builder ----------------------------------------------------------------------------

FAMILIES_INDEX = {family.key: index for index, family in enumerate(FAMILIES)}
# Upsert order: a row's parents first.
MODELS = (
    Case,
    Child,
    TribeNotice,
    Person,
    Episode,
    Placement,
    PermanencyPlan,
    MaltreatmentReport,
    Visit,
    Hearing,
    HearingOrder,
    Ftm,
    FtmActionItem,
    Screening,
    Service,
    Consent,
)

# Court hearing rhythm after removal (or enrolment, in home): then a review every 30 days.
HEARING_RHYTHM = (
    (1, HearingType.PRELIMINARY_PROTECTIVE),
    (28, HearingType.ADJUDICATION),
    (56, HearingType.DISPOSITION),
)
FTM_FIRST_AFTER_ENROLMENT = 5
FAMILY_TIME_WINDOW_DAYS = 42
# Days between visits for each number of visits a week.
VISIT_STEPS = {1: (7,), 2: (3, 4), 3: (2, 2, 3), 4: (2, 2, 2, 1), 5: (1, 1, 1, 1, 3)}
CANCELLERS = (
    CancelledBy.PARENT,
    CancelledBy.AGENCY,
    CancelledBy.RESOURCE_PARENT,
    CancelledBy.CHILD_ILLNESS,
)
TEAM_ROLE_OF = {
    "caseworker": Role.CASEWORKER,
    "caseworker2": Role.CASEWORKER,
    CLIN: Role.CLINICIAN,
    PA: Role.PARENT_ATTORNEY,
    CA: Role.CHILD_ATTORNEY,
    GAL: Role.GAL_CASA,
    PM: Role.PARENT_MENTOR,
}
ANCHOR = ("demo-ep-rivera-derrick", 91)  # an episode whose removal is always `today - 91`


@dataclass
class Result:
    site: Site
    users: dict[str, User]
    created: int = 0
    changed: int = 0
    families: int = 0
    children: int = 0


class _Rows:
    """Rows to upsert, by model, in the order they are added."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[dict]] = {}

    def add(self, model: type[models.Model], **row) -> str:
        self.by_model.setdefault(model, []).append(row)
        return row["id"]


def build(today: dt.date | None = None) -> Result:
    """Create or bring up to date the demo site, its logins and its families."""
    with transaction.atomic():
        site = _site()
        east = _site(EAST_SLUG, EAST_NAME)
        today = today or site.today()
        users = _users(site)
        east_users = _users(east, EAST_USERS)
        result = Result(site=site, users=users | east_users)
        _shift_episodes(today)
        rows = _Rows()
        links: list[tuple[str, str, str]] = []  # (person id, child id, relationship)
        # a family whose case another site accepted is that site's now: the demo leaves it be
        moved = set(
            CaseTransfer.objects.filter(
                from_site=site, decision=CaseTransfer.Decision.ACCEPTED
            ).values_list("case_id", flat=True)
        )
        for family in FAMILIES:
            if family.case_id in moved:
                continue
            _family(rows, links, family, today, users, site.id)
            result.families += 1
            result.children += len(family.kids)
        for model in MODELS:
            created, changed = _upsert(model, rows.by_model.get(model, []))
            result.created += created
            result.changed += changed
            if model is Person:
                created, changed = _relationships(links)
                result.created += created
                result.changed += changed
        result.created += _teams(users, moved)
        for plan_model, plan_rows in case_plan_rows(today, users.get("clinician")).items():
            created, changed = _upsert(plan_model, plan_rows)  # issue 4: assessments, markers
            result.created += created
            result.changed += changed
        result.created += _closures(users)
        result.created += _court_order(users)
        created, changed = _team_work(users, today, site)
        result.created += created
        result.changed += changed
        created, changed = _service_sessions(users, today)
        result.created += created
        result.changed += changed
        result.created += _transfer(users, site, east, today)
        created, changed = _workforce(users, today, site)
        result.created += created
        result.changed += changed
        created, changed = _community(users, today, site)
        result.created += created
        result.changed += changed
        if result.created or result.changed:
            audit_log(
                actor=None,
                action=AuditEvent.Action.IMPORT,
                record=site,
                detail={
                    "source": "seed_demo",
                    "created": result.created,
                    "changed": result.changed,
                },
            )
    return result


# The team's own part in the Rivera family (issue 22): the CASA volunteer supervises family time
# (seed 000: "visitation ... supervised by his CASA worker"), the parent mentor supports Jaime,
# each member writes notes of their own. (days ago, author key, text)
RIVERA_NOTES = (
    (
        12,
        "gal_casa",
        "Jaime was on her phone less today. Derrick brought her the blue truck "
        "twice; she got down on the floor with him.",
    ),
    (
        6,
        "caseworker",
        "Housing navigator appointment confirmed for Jaime next Tuesday. Dorothy "
        "asked for the childcare routine in writing; sent.",
    ),
    (
        2,
        "parent_mentor",
        "Talked with Jaime about what happens at the review hearing; she "
        "wants to tell the judge about the housing list herself.",
    ),
)
# (days ago, kind, minutes, note the parent agreed to share or "")
RIVERA_SUPPORT = (
    (27, "call", 20, ""),
    (20, "transport", 75, "Drove Jaime to the treatment intake appointment."),
    (13, "ftm_prep", 45, "Jaime wrote down what she wants to say at the FTM."),
    (9, "resource_connection", 30, "Connected Jaime with the food pantry at the resource center."),
    (4, "court_support", 120, ""),
)


def _team_work(users: dict[str, User], today: dt.date, site: Site) -> tuple[int, int]:
    """The Rivera family's team at work: the parent mentor's place names Jaime, the parent
    they support; the CASA volunteer supervised Derrick's past family time; notes of the
    caseworker, the CASA and the mentor; the mentor's support contacts with Jaime."""
    case_id = "demo-case-rivera"
    jaime = f"demo-person-rivera-{DEMO_PARENT[1]}"
    if not Case.objects.filter(pk=case_id).exists():
        return 0, 0
    changed = (
        TeamMember.objects.filter(
            case_id=case_id, user=users["parent_mentor"], role=Role.PARENT_MENTOR, removed_at=None
        )
        .exclude(person_id=jaime)
        .update(person_id=jaime)
    )
    changed += (
        Visit.objects.filter(
            id__startswith="demo-visit-rivera-", scheduled_on__lt=today, supervisor__isnull=True
        )
        .exclude(status=VisitStatus.SCHEDULED)
        .update(supervisor=users["gal_casa"])
    )
    notes = [
        {
            "id": f"demo-note-rivera-{number:02d}",
            "case_id": case_id,
            "author_id": users[author].id,
            "author_role": str(TEAM_ROLE_OF[author]),
            "written_at": dt.datetime.combine(
                today - dt.timedelta(days=days), dt.time(16, 30), tzinfo=site.tz
            ),
            "text": text,
        }
        for number, (days, author, text) in enumerate(RIVERA_NOTES, start=1)
    ]
    contacts = [
        {
            "id": f"demo-support-rivera-{number:02d}",
            "case_id": case_id,
            "person_id": jaime,
            "mentor_id": users["parent_mentor"].id,
            "contacted_on": today - dt.timedelta(days=days),
            "kind": kind,
            "minutes": minutes,
            "shared_note": note,
            "parent_agreed": bool(note),
        }
        for number, (days, kind, minutes, note) in enumerate(RIVERA_SUPPORT, start=1)
    ]
    created = 0
    for model, rows in ((CaseNote, notes), (SupportContact, contacts)):
        new, different = _upsert(model, rows)
        created += new
        changed += different
    return created, changed


# The Rivera family's weekly child-parent psychotherapy as it was delivered (issue 22; seed 003:
# "attendance at appointments begins to fall off"): steady for weeks, then two missed sessions
# in a row, so the case page and the coordinator's home flag that attendance is falling; the
# team reached out after the first, the latest still waits for outreach.
# (weeks ago, attendance, who took part, minutes, note)
RIVERA_SESSIONS = (
    (10, "attended", "birth_parent", 50, ""),
    (9, "attended", "birth_parent", 50, "Jaime and Derrick played with the farm set."),
    (8, "attended", "resource_parent", 45, "Dorothy came while Jaime was at court."),
    (7, "attended", "both", 55, "Jaime and Dorothy together for the first time."),
    (6, "attended", "birth_parent", 50, ""),
    (5, "cancelled_provider", "", None, "Clinician ill."),
    (4, "attended", "birth_parent", 50, "Derrick went to Jaime for comfort when he fell."),
    (3, "attended", "birth_parent", 50, ""),
    (2, "missed", "", None, ""),
    (1, "missed", "", None, ""),
)


def _service_sessions(users: dict[str, User], today: dt.date) -> tuple[int, int]:
    """Weekly sessions of the Rivera family's child-parent psychotherapy, from its start on."""
    service = Service.objects.filter(pk="demo-service-rivera-1").first()
    if service is None or service.started_on is None:
        return 0, 0
    rows = []
    for weeks, attendance, caregiver, minutes, note in RIVERA_SESSIONS:
        day = today - dt.timedelta(weeks=weeks)
        if day < service.started_on:
            continue
        rows.append(
            {
                "id": f"demo-session-rivera-{weeks:02d}",
                "service_id": service.pk,
                "held_on": day,
                "attendance": attendance,
                "caregiver": caregiver,
                "minutes": minutes,
                "note": note,
                # the team reached out after the first missed session, two days later
                "outreach_done_on": day + dt.timedelta(days=2) if weeks == 2 else None,
                "logged_by_id": users["clinician"].id if "clinician" in users else None,
            }
        )
    return _upsert(ServiceSession, rows)


# The people who do the work (issue 22 items 7 and 8). Reflective supervision: (days ago, staff
# key, supervisor key or a name, minutes, kind)
DEMO_SUPERVISION = (
    (25, "community_coordinator", "Dr. Elena Ruiz (IECMH consultant)", 60, "individual"),
    (18, "caseworker", "clinician", 60, "individual"),
    (11, "caseworker2", "clinician", 45, "individual"),
    (4, "gal_casa", "community_coordinator", 90, "group"),
)
# IECMH consultations by the clinician: (days ago, consultee, need, mode, minutes)
DEMO_CONSULTATIONS = (
    (40, "resource_parent", "attachment", "direct", 60),
    (22, "child_care_provider", "behaviour", "indirect", 45),
    (15, "caseworker", "trauma", "indirect", 30),
    (8, "judge", "development", "indirect", 20),
    (3, "resource_parent", "caregiver_wellbeing", "direct", 50),
)
# Private well-being check-ins: five staff this month (the program page shows their averages),
# four the month before (too few: "not shown"). (staff key, days ago, stress, supported, sleep)
DEMO_CHECK_INS = (
    *((key, 0, 3, 4, 3) for key in ("caseworker", "caseworker2", "clinician", "gal_casa")),
    ("community_coordinator", 0, 4, 3, 2),
    *((key, 35, 4, 3, 3) for key in ("caseworker", "caseworker2", "clinician", "gal_casa")),
)


def _workforce(users: dict[str, User], today: dt.date, site: Site) -> tuple[int, int]:
    """A few reflective supervision sessions, the clinician's consultations, one training with
    staff and providers, and five staff's private check-ins (so that the aggregate shows)."""

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    sessions = [
        {
            "id": f"demo-supervision-{number:02d}",
            "site_id": site.id,
            "staff_id": users[staff].id,
            "supervisor_id": users[by].id if by in users else None,
            "supervisor_name": "" if by in users else by,
            "held_on": ago(days),
            "minutes": minutes,
            "kind": kind,
            "recorded_by_id": users["community_coordinator"].id,
        }
        for number, (days, staff, by, minutes, kind) in enumerate(DEMO_SUPERVISION, start=1)
    ]
    consultations = [
        {
            "id": f"demo-consultation-{number:02d}",
            "site_id": site.id,
            "consultant_id": users["clinician"].id,
            "consultant_name": "",
            "held_on": ago(days),
            "consultee": consultee,
            "need": need,
            "mode": mode,
            "minutes": minutes,
            "recorded_by_id": users["clinician"].id,
        }
        for number, (days, consultee, need, mode, minutes) in enumerate(DEMO_CONSULTATIONS, start=1)
    ]
    check_ins = [
        {
            "id": f"demo-check-in-{number:02d}",
            "site_id": site.id,
            "person_id": users[key].id,
            "checked_on": ago(days),
            "stress": stress,
            "supported": supported,
            "sleep": sleep,
            "private_note": "",
        }
        for number, (key, days, stress, supported, sleep) in enumerate(DEMO_CHECK_INS, start=1)
    ]
    trainings = [
        {
            "id": "demo-training-01",
            "site_id": site.id,
            "title": "Keeping the baby in mind: IECMH and secondary traumatic stress",
            "held_on": ago(16),
            "hours": 3,
            "topics": ["iecmh", "sts"],
            "recorded_by_id": users["community_coordinator"].id,
        }
    ]
    created = changed = 0
    for model, rows in (
        (SupervisionSession, sessions),
        (Consultation, consultations),
        (WellbeingCheckIn, check_ins),
        (Training, trainings),
    ):
        new, different = _upsert(model, rows)
        created += new
        changed += different
    if not TrainingAttendance.objects.filter(training_id="demo-training-01").exists():
        attendance = [
            TrainingAttendance(training_id="demo-training-01", user=users[key])
            for key in ("community_coordinator", "caseworker", "caseworker2", "gal_casa")
        ] + [
            TrainingAttendance(
                training_id="demo-training-01", name="Maria Lopez", organisation="Early Head Start"
            ),
            TrainingAttendance(
                training_id="demo-training-01",
                name="Sam Carter",
                organisation="Part C early intervention",
            ),
        ]
        TrainingAttendance.objects.bulk_create(attendance)
        created += len(attendance)
    return created, changed


# The Active Community Team (issue 22 item 9; seed 002 core component 3): who sits on it (a user
# key of USERS, or a name), their organisation and sector.
ACT_MEMBERS = (
    ("community_coordinator", "", "Demo County Safe Babies Court Team", "community"),
    ("judge", "", "Demo County Juvenile Court", "court"),
    ("caseworker", "", "Demo County Child Welfare", "child_welfare"),
    ("parent_leader", "", "Demo County Parent Leadership Council", "parent_leader"),
    ("", "Maria Gomez", "Bright Start Infant Mental Health", "mental_health"),
    ("", "Dr. Alan Price", "Demo County Pediatrics", "health"),
    ("", "Tanya Wells", "Demo County Early Head Start", "early_childhood"),
)
# The provider directory: (name, service types, languages, accepting referrals, waitlist weeks)
PROVIDERS = (
    (
        "Bright Start Infant Mental Health",
        ["child_parent_psychotherapy", "mental_health"],
        "English, Spanish",
        True,
        3,
    ),
    ("Demo County Part C", ["early_intervention"], "English, Spanish, Vietnamese", True, 0),
    ("New Roads Recovery Center", ["substance_use_treatment"], "English", True, 2),
    ("Demo County Housing Navigators", ["housing", "concrete_needs"], "English, Spanish", False, 8),
    (
        "Family Resource Center",
        ["parenting", "concrete_needs", "child_care"],
        "English, Spanish",
        True,
        0,
    ),
)


def _community(users: dict[str, User], today: dt.date, site: Site) -> tuple[int, int]:
    """The demo site's Active Community Team: its members, last month's meeting with a decision
    and two action items (one the parent leader's), the next meeting, an improvement cycle on
    the screening measure; the provider directory; the provider's word on the Rivera family's
    child-parent psychotherapy referral."""
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    members = [
        {
            "id": f"demo-act-member-{number}",
            "site_id": site.id,
            "user_id": users[key].id if key else None,
            "name": name,
            "organisation": organisation,
            "sector": sector,
            "joined_on": day(-400),
        }
        for number, (key, name, organisation, sector) in enumerate(ACT_MEMBERS, start=1)
    ]
    meetings = [
        {
            "id": "demo-act-meeting-1",
            "site_id": site.id,
            "held_on": day(-20),
            "title": "Quarterly ACT meeting",
            "agenda": "1. Waitlists for child-parent psychotherapy\n2. Transport to family time\n"
            "3. The screening improvement cycle: first figures",
            "notes": "The dashboard shows referrals to child-parent psychotherapy waiting more "
            "than 60 days to start. Two providers serve the county; one is not taking referrals. "
            "Parent leaders report that bus routes do not reach the family time center.",
        },
        {
            "id": "demo-act-meeting-2",
            "site_id": site.id,
            "held_on": day(70),
            "title": "Quarterly ACT meeting",
            "agenda": "Waitlist letter: the county's answer. Transport voucher pilot.",
            "notes": "",
        },
    ]
    decisions = [
        {
            "id": "demo-act-decision-1",
            "meeting_id": "demo-act-meeting-1",
            "text": "Ask the county to fund a second child-parent psychotherapy clinician.",
        }
    ]
    items = [
        {
            "id": "demo-act-item-1",
            "meeting_id": "demo-act-meeting-1",
            "description": "Bring the waitlist figures to the children's services council.",
            "owner_id": "demo-act-member-4",  # the parent leader
            "due_on": day(10),
        },
        {
            "id": "demo-act-item-2",
            "meeting_id": "demo-act-meeting-1",
            "description": "Set up a transport voucher pilot with the transit authority.",
            "owner_id": "demo-act-member-1",
            "due_on": day(24),
        },
    ]
    cycles = [
        {
            "id": "demo-act-cycle-1",
            "site_id": site.id,
            "title": "Screen every baby within 30 days of removal",
            "metric": "developmental_screening_within_30_days",
            "started_on": day(-100),
            "stage": "study",
            "plan": "The caseworker books the ASQ-3 at the first family team meeting; the "
            "Community Coordinator checks the list every Monday. We expect the share screened "
            "within 30 days to rise above 90%.",
        }
    ]
    providers = [
        {
            "id": f"demo-provider-{number}",
            "site_id": site.id,
            "name": name,
            "service_types": types,
            "languages": languages,
            "accepting_referrals": accepting,
            "waitlist_weeks": weeks,
            "updated_on": day(-7),
        }
        for number, (name, types, languages, accepting, weeks) in enumerate(PROVIDERS, start=1)
    ]
    created = changed = 0
    for model, rows in (
        (ActMember, members),
        (ActMeeting, meetings),
        (ActDecision, decisions),
        (ActActionItem, items),
        (ImprovementCycle, cycles),
        (Provider, providers),
    ):
        new, different = _upsert(model, rows)
        created += new
        changed += different
    meeting = ActMeeting.objects.get(pk="demo-act-meeting-1")
    if not meeting.attendees.exists():
        meeting.attendees.set(ActMember.objects.filter(pk__in=[row["id"] for row in members]))
    referral = Service.objects.filter(pk="demo-service-rivera-1").first()
    if referral is not None:
        new, different = _upsert(
            ReferralFeedback,
            [
                {
                    "id": "demo-feedback-rivera-1",
                    "service_id": referral.pk,
                    "received_on": min(referral.referred_on + dt.timedelta(days=4), today),
                    "status": "first_appointment_scheduled",
                    "note": "Intake with Maria Gomez booked; Dorothy will bring Derrick.",
                    "recorded_by_id": users["community_coordinator"].id,
                }
            ],
        )
        created += new
        changed += different
    return created, changed


def _closures(users: dict[str, User]) -> int:
    """Each closed demo family's closing (the date follows the case's, which moves with
    today): reunified, adopted or with a guardian, their permanency was reached."""
    created = 0
    coordinator = users.get("community_coordinator")
    for case in Case.objects.filter(
        pk__in=[f.case_id for f in FAMILIES if f.closed is not None]
    ).order_by("pk"):
        assert case.closed_on is not None
        closure = case.closures.filter(reopened_at__isnull=True).first()
        if closure is None:
            CaseClosure.objects.create(
                case=case,
                closed_on=case.closed_on,
                reason=ClosureReason.PERMANENCY,
                closed_by=coordinator,
            )
            created += 1
        elif closure.closed_on != case.closed_on:
            closure.closed_on = case.closed_on
            closure.save(update_fields=["closed_on", "updated_at"])
    return created


COURT_ORDER_HTML = """<html><body style="font-family: serif; margin: 3cm">
<h1 style="font-size: 16pt">Order after review hearing</h1>
<p>In the matter of the Rivera child. The court finds that the agency made reasonable efforts
to finalize the permanency plan. Family time continues at least three times a week. The
family team meets again before the next review.</p>
<p>(A demonstration document: no real family.)</p></body></html>"""


def _court_order(users: dict[str, User]) -> int:
    """A court order filed at the Rivera family's last held hearing, shared with the family,
    so that the case page, the hearing and the parent's page show a document."""
    from weasyprint import HTML

    coordinator = users.get("community_coordinator")
    case = Case.objects.filter(name__startswith="Rivera").first()
    if coordinator is None or case is None or case.documents.exists():
        return 0
    hearing = case.hearings.filter(status=codes.HearingStatus.HELD).order_by("-scheduled_on")
    held = hearing.first()
    if held is None:
        return 0
    pdf = HTML(string=COURT_ORDER_HTML).write_pdf()
    # kept as the upload keeps a file (a random name in the documents storage), without the
    # upload's own audit event: a demo run leaves one event (the import's)
    name = documents_storage().save(files.storage_name("application/pdf"), ContentFile(pdf))
    Document.objects.create(
        case=case,
        hearing=held,
        kind=Document.Kind.ORDER,
        document_date=held.scheduled_on,
        original_name="order-after-review.pdf",
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        storage_name=name,
        shared_with_family=True,
        uploaded_by=coordinator,
    )
    return 1


def _transfer(users: dict[str, User], site: Site, east: Site, today: dt.date) -> int:
    """The Walker family's case, sent to East County two days ago and waiting for its
    Community Coordinator (`TRANSFER`). Made once: a transfer of the case that East County
    accepted, declined or that was withdrawn stays as it was decided."""
    key, note = TRANSFER
    case_id = next(family.case_id for family in FAMILIES if family.key == key)
    if CaseTransfer.objects.filter(case_id=case_id).exists():
        return 0
    if not Case.objects.filter(pk=case_id, site=site, closed_on__isnull=True).exists():
        return 0
    # kept as `transfer_request` keeps it, without its own audit events and notice: a demo
    # run leaves one event (the import's)
    transfer = CaseTransfer(
        case_id=case_id,
        from_site=site,
        to_site=east,
        note=note,
        requested_by=users["community_coordinator"],
        requested_at=dt.datetime.combine(
            today - dt.timedelta(days=2), dt.time(15, 0), tzinfo=site.tz
        ),
    )
    transfer.full_clean()
    transfer.save()
    return 1


def _site(slug: str = SITE_SLUG, name: str = SITE_NAME) -> Site:
    site, _ = Site.objects.get_or_create(
        slug=slug, defaults={"name": name, "timezone": SITE_TIMEZONE}
    )
    if (site.name, site.timezone) != (name, SITE_TIMEZONE):
        site.name, site.timezone = name, SITE_TIMEZONE
        site.full_clean()
        site.save(update_fields=["name", "timezone"])
    return site


def _users(site: Site, people: tuple[tuple[str, str, str], ...] = USERS) -> dict[str, User]:
    users: dict[str, User] = {}
    password_hash = None  # hashed once: a dozen slow hashes of the same password add seconds
    for key, role, full_name in people:
        email = email_of(key)
        is_staff = role == Role.SITE_ADMIN
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            password_hash = password_hash or make_password(PASSWORD)
            user = User(email=email, full_name=full_name, is_staff=is_staff, password=password_hash)
            user.full_clean()
            user.save()
        elif (user.full_name, user.is_staff, user.is_active) != (full_name, is_staff, True):
            user.full_name, user.is_staff, user.is_active = full_name, is_staff, True
            user.save(update_fields=["full_name", "is_staff", "is_active"])
        if key == "community_coordinator" and not user.phone:
            user.phone = COORDINATOR_PHONE  # the number families call or text
            user.save(update_fields=["phone"])
        membership, created = SiteMembership.objects.get_or_create(user=user, site=site, role=role)
        if not created and not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        users[key] = user
    return users


def _shift_episodes(today: dt.date) -> None:
    """Move every demo removal and placement forward (or back) to match `today`.

    In the order that keeps each placement inside its episode at every step: a forward move
    first pushes the discharge, then the placements, then the removal."""
    anchor_id, days_ago = ANCHOR
    stored = Episode.objects.filter(id=anchor_id).values_list("removal_date", flat=True).first()
    if stored is None:
        return
    delta = (today - dt.timedelta(days=days_ago)) - stored
    if not delta:
        return
    demo = Episode.objects.filter(child__case__site__slug=SITE_SLUG, id__startswith="demo-")
    # a child's earlier time in care (`Family.earlier`) moves after their later one going
    # forward, before it going back: the two never overlap on the way
    groups = [demo.exclude(id__endswith="-earlier"), demo.filter(id__endswith="-earlier")]
    if delta < dt.timedelta(0):
        groups.reverse()
    for episodes in groups:
        placements = Placement.objects.filter(episode__in=episodes)
        steps = [
            lambda episodes=episodes: episodes.filter(discharge_date__isnull=False).update(
                discharge_date=F("discharge_date") + delta
            ),
            lambda placements=placements: placements.update(  # end >= start holds throughout
                start_date=F("start_date") + delta, end_date=F("end_date") + delta
            ),
            lambda episodes=episodes: episodes.update(removal_date=F("removal_date") + delta),
        ]
        if delta < dt.timedelta(0):
            steps.reverse()
        for step in steps:
            step()


def _upsert(model: type[models.Model], rows: list[dict]) -> tuple[int, int]:
    """Create the rows whose id is new; save only the fields that differ on the others."""
    existing = model._default_manager.in_bulk([row["id"] for row in rows])
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    new, changed = [], 0
    for row in rows:
        obj = existing.get(row["id"])
        if obj is None:
            obj = model(**row)
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            new.append(obj)
            continue
        different = [name for name, value in row.items() if getattr(obj, name) != value]
        if different:
            for name in different:
                setattr(obj, name, row[name])
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            obj.save(update_fields=[*different, "updated_at"])
            changed += 1
    model._default_manager.bulk_create(new)
    return len(new), changed


def _relationships(links: Iterable[tuple[str, str, str]]) -> tuple[int, int]:
    created = changed = 0
    for person_id, child_id, kind in links:
        relationship, was_created = Relationship.objects.get_or_create(
            person_id=person_id, child_id=child_id, defaults={"kind": kind}
        )
        if was_created:
            created += 1
        elif relationship.kind != kind:
            relationship.kind = kind
            relationship.save(update_fields=["kind"])
            changed += 1
    return created, changed


def _teams(users: dict[str, User], moved: set[str]) -> int:
    created = 0
    for family in FAMILIES:
        if family.case_id in moved:
            continue
        members = [("community_coordinator", Role.COMMUNITY_COORDINATOR)]
        members += [(key, TEAM_ROLE_OF[key]) for key in family.team]
        for key, role in members:
            _, was_created = TeamMember.objects.get_or_create(
                case_id=family.case_id,
                user=users[key],
                role=role,
                removed_at=None,
                defaults={"phone": TEAM_PHONES.get(key, "")},
            )
            created += was_created
        if family.key == DEMO_PARENT[0]:
            _, was_created = TeamMember.objects.get_or_create(
                case_id=family.case_id,
                user=users["parent"],
                role=Role.PARENT,
                removed_at=None,
                defaults={"person_id": f"demo-person-{family.key}-{DEMO_PARENT[1]}"},
            )
            created += was_created
    return created


def _family(
    rows: _Rows,
    links: list[tuple[str, str, str]],
    family: Family,
    today: dt.date,
    users: dict[str, User],
    site_id: int,
) -> None:
    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    key = family.key
    opened = ago(family.opened)
    removal = ago(family.removal) if family.removal is not None else None
    start = removal or opened  # what service and screening offsets count from
    discharge = ago(family.discharge[0]) if family.discharge else None
    end = discharge or today  # the last day the family is followed in care / in the program
    closed = ago(family.closed) if family.closed is not None else None
    assert start <= opened <= today and (closed is None or closed >= opened), key
    enrollment = codes.Enrollment.IN_HOME if removal is None else codes.Enrollment.OUT_OF_HOME
    case_id = rows.add(
        Case,
        id=family.case_id,
        site_id=site_id,
        name=f"{family.family_name} family",
        opened_on=opened,
        closed_on=closed,
        enrollment=enrollment,
    )

    child_ids: dict[str, str] = {}
    for index, kid in enumerate(family.kids, start=1):
        birth = add_months(today, -kid.born[0]) - dt.timedelta(days=kid.born[1])
        assert add_months(birth, 36) > opened, f"{kid.given_name} is not under 3 at enrolment"
        child_ids[kid.key] = rows.add(
            Child,
            id=f"demo-child-{key}-{kid.key}",
            case_id=case_id,
            given_name=kid.given_name,
            family_name=family.family_name,
            birth_date=birth,
            sex=kid.sex,
            race=list(kid.race),
            hispanic=kid.hispanic,
            icwa=kid.icwa,
            enrolled_on=opened,
            exited_on=discharge or closed,
            preferred_language=kid.language,
            docket_number=f"DEMO-JD-{_docket(key)}-{index}",
        )

    person_ids: dict[str, str] = {}
    for adult in family.adults:
        person_ids[adult.key] = rows.add(
            Person,
            id=f"demo-person-{key}-{adult.key}",
            case_id=case_id,
            kind=adult.kind,
            given_name=adult.given_name,
            family_name=adult.family_name,
            phone=adult.phone,
            address=adult.address,
            preferred_language=adult.language,
            race=list(adult.race),
            hispanic=adult.hispanic,
            family_copies=list(adult.copies),
            notified_on=(
                removal + dt.timedelta(days=adult.notified)
                if removal is not None and adult.notified is not None
                else None
            ),
        )
        links.extend(
            (person_ids[adult.key], child_id, adult.relationship) for child_id in child_ids.values()
        )

    def after_removal(days: int | None) -> dt.date | None:
        return None if days is None else start + dt.timedelta(days=days)

    for kid in family.kids:
        if kid.icwa not in (Icwa.APPLIES, Icwa.REASON_TO_KNOW):
            continue
        for number, (tribe, sent, answered) in enumerate(family.tribes, start=1):
            rows.add(
                TribeNotice,
                id=f"demo-tribe-{key}-{kid.key}-{number}",
                child_id=child_ids[kid.key],
                tribe=tribe,
                notice_sent_on=after_removal(sent),
                response_on=after_removal(answered),
            )

    if removal is not None:
        for kid in family.kids:
            _in_care(
                rows, family, kid, child_ids[kid.key], person_ids, removal, discharge, today, users
            )

    _hearings(rows, family, case_id, start, end, today, users["judge"])
    _ftms(rows, family, case_id, opened, closed or end, today, users)
    # a parent's screenings and services are the first parent's (a Part 2 one is opened only by
    # that parent's release)
    parent_id = next(
        (person_ids[a.key] for a in family.adults if a.kind == Person.Kind.PARENT), None
    )
    _screenings(rows, family, case_id, child_ids, start, today, parent_id)

    def on(days: int | None) -> dt.date | None:
        return None if days is None else min(start + dt.timedelta(days=days), today)

    for number, svc in enumerate(family.services, start=1):
        rows.add(
            Service,
            id=f"demo-service-{key}-{number}",
            case_id=case_id,
            child_id=child_ids[svc.child] if svc.child else None,
            person_id=parent_id if svc.recipient == ServiceRecipient.PARENT else None,
            recipient=svc.recipient,
            service_type=svc.service_type,
            provider=svc.provider,
            evidence_based=svc.evidence_based,
            referred_on=on(svc.referred),
            started_on=on(svc.started),
            ended_on=on(svc.ended),
            status=svc.status,
        )

    for number, release in enumerate(family.releases, start=1):
        granted = opened + dt.timedelta(days=release.after)
        own_role = release.recipient_role == Role.COMMUNITY_COORDINATOR
        rows.add(
            Consent,
            id=f"demo-consent-{key}-{number}",
            case_id=case_id,
            person_id=person_ids[release.adult],
            category=release.category,
            recipient_role=release.recipient_role,
            granted_on=granted,
            expires_on=add_months(granted, release.months) if release.months else None,
            revoked_on=None,
            # recorded by the coordinator; the one naming her own role, confirmed by the site
            # admin (a second person: assessments.services.consent_record)
            recorded_by_id=users["community_coordinator"].id,
            confirmed_by_id=users["site_admin"].id if own_role else None,
            confirmed_at=dt.datetime.combine(granted, dt.time(12), tzinfo=dt.UTC),
        )


def _in_care(
    rows: _Rows,
    family: Family,
    kid: Kid,
    child_id: str,
    person_ids: dict[str, str],
    removal: dt.date,
    discharge: dt.date | None,
    today: dt.date,
    users: dict[str, User],
) -> None:
    """The child's removal: episode, placements, permanency plans, family time, reports (and
    an earlier time in care the child came back from: `Family.earlier`)."""
    prefix = f"{family.key}-{kid.key}"
    if family.earlier:
        came, left, reason, setting = family.earlier
        earlier_id = rows.add(
            Episode,
            id=f"demo-ep-{prefix}-earlier",
            child_id=child_id,
            removal_date=today - dt.timedelta(days=came),
            manner=family.manner,
            reasons=list(family.reasons),
            discharge_date=today - dt.timedelta(days=left),
            discharge_reason=reason,
        )
        rows.add(
            Placement,
            id=f"demo-pl-{prefix}-earlier",
            episode_id=earlier_id,
            setting=setting,
            start_date=today - dt.timedelta(days=came),
            end_date=today - dt.timedelta(days=left),
            end_reason=f"Discharged: {DischargeReason(reason).label}",
        )
    episode_id = rows.add(
        Episode,
        id=f"demo-ep-{prefix}",
        child_id=child_id,
        removal_date=removal,
        manner=family.manner,
        reasons=list(family.reasons),
        discharge_date=discharge,
        discharge_reason=family.discharge[1] if family.discharge else "",
    )
    for number, stay in enumerate(family.stays, start=1):
        following = family.stays[number] if number < len(family.stays) else None
        end = removal + dt.timedelta(days=following.start) if following else discharge
        rows.add(
            Placement,
            id=f"demo-pl-{prefix}-{number}",
            episode_id=episode_id,
            setting=stay.setting,
            start_date=removal + dt.timedelta(days=stay.start),
            end_date=end,
            end_reason=stay.end_reason if end else "",
            caregiver_id=person_ids[stay.caregiver] if stay.caregiver else None,
            address=stay.address,
        )
    for number, plan in enumerate(family.plans, start=1):
        rows.add(
            PermanencyPlan,
            id=f"demo-plan-{prefix}-{number}",
            child_id=child_id,
            effective_date=removal + dt.timedelta(days=plan.after),
            primary_goal=plan.primary,
            concurrent_goal=plan.concurrent,
            reason=plan.reason,
            recorded_by_id=users[
                "caseworker2" if "caseworker2" in family.team else "caseworker"
            ].id,
        )
    for number, (days, disposition) in enumerate(family.maltreatment, start=1):
        rows.add(
            MaltreatmentReport,
            id=f"demo-report-{prefix}-{number}",
            child_id=child_id,
            reported_on=removal + dt.timedelta(days=days),
            disposition=disposition,
        )
    if family.family_time:
        _family_time(rows, family, prefix, child_id, removal, discharge, today)


def _family_time(
    rows: _Rows,
    family: Family,
    prefix: str,
    child_id: str,
    removal: dt.date,
    discharge: dt.date | None,
    today: dt.date,
) -> None:
    """Visits over the last weeks the child was in care (before a trial home visit or the
    discharge), then the coming week's schedule while the child is still in care."""
    plan = family.family_time
    assert plan is not None
    home_from = [
        removal + dt.timedelta(days=s.start)
        for s in family.stays
        if s.setting == PlacementSetting.TRIAL_HOME_VISIT
    ]
    until = min([today, *home_from, *([discharge] if discharge else [])])
    day = max(removal + dt.timedelta(days=1), until - dt.timedelta(days=FAMILY_TIME_WINDOW_DAYS))
    steps = VISIT_STEPS[plan.per_week]
    planned: list[dt.date] = []
    while day < until or (until == today and day <= today + dt.timedelta(days=7)):
        planned.append(day)
        day += dt.timedelta(days=steps[len(planned) % len(steps)])
    past = [d for d in planned if d < until]
    for number, day in enumerate(planned):
        row = {
            "id": f"demo-visit-{prefix}-{number + 1:03d}",
            "child_id": child_id,
            "scheduled_on": day,
            "starts_at": plan.starts_at,
            "status": VisitStatus.HELD,
            "cancelled_by": "",
            "duration_minutes": None,
            "supervision": plan.supervision[0 if number < len(past) / 2 else -1],
            "location": plan.location,
            "observations": "",
        }
        if day >= today:
            row["status"] = VisitStatus.SCHEDULED
        elif number % 8 == 5:
            row["status"] = VisitStatus.CANCELLED
            row["cancelled_by"] = CANCELLERS[(number // 8) % len(CANCELLERS)]
        elif family.no_show_every and number % family.no_show_every == family.no_show_every - 1:
            row["status"] = VisitStatus.NO_SHOW
        else:
            row["duration_minutes"] = 120 if plan.supervision[-1] != Supervision.SUPERVISED else 90
            if family.observations:
                row["observations"] = family.observations[number % len(family.observations)]
        rows.add(Visit, **row)


DEMO_ORDERS = (
    "Family time at least three times a week, in the most natural setting possible.",
    "The agency refers the child for a developmental screening and shares the result.",
    "The agency keeps the child's placement stable and reports any planned move first.",
    "The parent's referral to child-parent psychotherapy is followed up within two weeks.",
)


# Who was at a held hearing (codes.HearingAttendee), by the family's team.
HEARING_ATTENDANCE_OF_TEAM = {
    CW: "caseworker",
    PA: "parent_attorney",
    CA: "child_attorney",
    GAL: "gal_casa",
    PM: "parent_mentor",
    CLIN: "clinician",
}


def _findings(family: Family, number: int) -> dict:
    """The court's structured findings at a held hearing: reasonable efforts (and why), the
    ICWA active-efforts finding, the permanency goal approved, who was there by role."""
    team = {HEARING_ATTENDANCE_OF_TEAM[k] for k in family.team if k in HEARING_ATTENDANCE_OF_TEAM}
    present = {"community_coordinator", "parent", *team}
    if any(a.kind == Person.Kind.RESOURCE_PARENT for a in family.adults):
        present.add("resource_parent")
    if number % 3 == 0:  # now and then the parent could not come
        present.discard("parent")
    # from disposition on the court approves the permanency goal of the plan then
    goal = (family.plans[-1].primary if family.plans else "") if number >= 3 else ""
    # ICWA: where there is reason to know, the court finds active efforts at each hearing
    icwa = any(kid.icwa in (Icwa.APPLIES, Icwa.REASON_TO_KNOW) for kid in family.kids)
    return {
        "active_efforts": Hearing.ActiveEfforts.MADE if icwa else "",
        "reasonable_efforts": True,
        "reasonable_efforts_reason": "Referrals made within days of removal; family time "
        "arranged and transport offered.",
        "permanency_goal": goal,
        "permanency_goal_approved": True if goal else None,
        "attendance": [role for role in codes.HearingAttendee.values if role in present],
    }


def _hearings(
    rows: _Rows,
    family: Family,
    case_id: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    judge: User,
) -> None:
    """Held hearings on the court's rhythm, then (for an open case) the next one in a few days."""
    schedule = [(_weekday(start + dt.timedelta(days=d)), kind) for d, kind in HEARING_RHYTHM]
    day = start + dt.timedelta(days=86)
    while day <= end:
        kind = HearingType.PERMANENCY if 335 <= (day - start).days < 365 else HearingType.REVIEW
        schedule.append((_weekday(day), kind))
        day += dt.timedelta(days=30)
    upcoming = None
    if family.next_hearing and family.discharge is None:
        upcoming = _weekday(today + dt.timedelta(days=family.next_hearing[0]))
    past = [
        (day, kind)
        for number, (day, kind) in enumerate(schedule)
        if day < min(today, end + dt.timedelta(days=1))
        and (upcoming is None or number == 0 or day <= upcoming - dt.timedelta(days=14))
    ]
    for number, (day, kind) in enumerate(past, start=1):
        continued = number == family.continued_hearing
        rows.add(
            Hearing,
            id=f"demo-hearing-{family.key}-{number:02d}",
            case_id=case_id,
            hearing_type=kind,
            scheduled_on=day,
            starts_at=_court_time(family, number),
            courtroom="Courtroom 2B",
            judge_id=judge.id,
            status=HearingStatus.CONTINUED if continued else HearingStatus.HELD,
            continuance_reason="The parent's attorney was in trial; reset by agreement."
            if continued
            else "",
            **({} if continued else _findings(family, number)),
        )
        if not continued and number >= 3:  # from disposition on, one order a hearing (issue 6)
            last = number == len(past)
            rows.add(
                HearingOrder,
                id=f"demo-order-{family.key}-{number:02d}",
                hearing_id=f"demo-hearing-{family.key}-{number:02d}",
                text=DEMO_ORDERS[number % len(DEMO_ORDERS)],
                due_on=day + dt.timedelta(days=21),
                status="in_progress" if last else "done",
                done_on=None if last else min(day + dt.timedelta(days=14), today),
            )
    if upcoming and family.next_hearing:
        number = len(past) + 1
        rows.add(
            Hearing,
            id=f"demo-hearing-{family.key}-next",
            case_id=case_id,
            hearing_type=family.next_hearing[1],
            scheduled_on=upcoming,
            starts_at=_court_time(family, number),
            courtroom="Courtroom 2B",
            judge_id=judge.id,
            status=HearingStatus.SCHEDULED,
            continuance_reason="",
        )


def _ftms(
    rows: _Rows,
    family: Family,
    case_id: str,
    opened: dt.date,
    last_day: dt.date,
    today: dt.date,
    users: dict[str, User],
) -> None:
    """Monthly FTMs from enrolment: held ones with action items, then the next one."""
    cadence = dt.timedelta(days=30)
    dates = []
    day = opened + dt.timedelta(days=FTM_FIRST_AFTER_ENROLMENT)
    while day <= last_day:
        dates.append(_weekday(day))
        day += cadence
    if last_day == today and (not dates or dates[-1] < today):
        dates.append(_weekday(day))  # the next meeting, on the calendar
    team_roles = [Role.COMMUNITY_COORDINATOR, *dict.fromkeys(TEAM_ROLE_OF[k] for k in family.team)]
    for number, day in enumerate(dates, start=1):
        ftm_id = f"demo-ftm-{family.key}-{number:02d}"
        held = day < today
        parent_came = not (family.no_show_every and number % 3 == 2)
        rows.add(
            Ftm,
            id=ftm_id,
            case_id=case_id,
            scheduled_on=day,
            starts_at=dt.time(13, 0),
            location="Family Resource Center, Room B" if number % 2 else "Video call",
            facilitator_id=users["community_coordinator"].id,
            # the Morales family's first FTM: a facilitator from a partner agency, in Spanish
            facilitator_name="Rosa Medina" if (family.key, number) == ("morales", 1) else "",
            facilitator_organisation=(
                "Familias Unidas" if (family.key, number) == ("morales", 1) else ""
            ),
            status=codes.FtmStatus.HELD if held else codes.FtmStatus.SCHEDULED,
            parent_attended=parent_came if held else None,
            parent_mentor_attended=(PM in family.team) if held else None,
            attendee_roles=[str(r) for r in team_roles] if held else [],
            notes=_ftm_notes(family) if held else "",
        )
        if not held or not family.action_items:
            continue
        due = day + cadence
        for item_number in (1, 2):
            what, owner_key = family.action_items[
                (2 * (number - 1) + item_number - 1) % len(family.action_items)
            ]
            owner = _owner(family, owner_key, users)
            if due < today and (number + item_number) % 5 != 0:
                status, completed = codes.ActionItemStatus.DONE, due - dt.timedelta(days=4)
            elif due < today and number % 4 == 3:
                status, completed = codes.ActionItemStatus.DROPPED, None
            else:
                status, completed = codes.ActionItemStatus.OPEN, None
            rows.add(
                FtmActionItem,
                id=f"{ftm_id}-item-{item_number}",
                ftm_id=ftm_id,
                description=what,
                owner_role=TEAM_ROLE_OF.get(owner_key, owner_key) if owner_key else "",
                owner_id=owner.id if owner else None,
                due_on=due,
                completed_on=completed,
                status=status,
            )


def _screenings(
    rows: _Rows,
    family: Family,
    case_id: str,
    child_ids: dict[str, str],
    start: dt.date,
    today: dt.date,
    parent_id: str | None,
) -> None:
    """Each child: an initial health screen in days, ASQ-3 and ASQ:SE-2 in two weeks (and again
    at six months); the parents' screens of the table."""
    key = family.key
    for kid in family.kids:
        screens = [
            (3, Instrument.HEALTH_INITIAL, ScreeningResult.NO_CONCERN),
            (14, Instrument.ASQ3, kid.asq3),
            (14, Instrument.ASQSE2, kid.asqse2),
            (180, Instrument.ASQ3, ScreeningResult.NO_CONCERN),
            (
                180,
                Instrument.ASQSE2,
                ScreeningResult.MONITOR
                if kid.asqse2 == ScreeningResult.REFER
                else ScreeningResult.NO_CONCERN,
            ),
        ]
        for number, (after, instrument, result) in enumerate(screens, start=1):
            day = start + dt.timedelta(days=after)
            if day >= today:
                continue
            rows.add(
                Screening,
                id=f"demo-screen-{key}-{kid.key}-{number}",
                case_id=case_id,
                child_id=child_ids[kid.key],
                subject=codes.ScreeningSubject.CHILD,
                instrument=instrument,
                screened_on=day,
                result=result,
                referral_made=result == ScreeningResult.REFER,
            )
    for number, screen in enumerate(family.parent_screens, start=1):
        day = start + dt.timedelta(days=screen.after)
        if day < today:
            rows.add(
                Screening,
                id=f"demo-screen-{key}-parent-{number}",
                case_id=case_id,
                child_id=None,
                person_id=parent_id if screen.subject == codes.ScreeningSubject.PARENT else None,
                subject=screen.subject,
                instrument=screen.instrument,
                screened_on=day,
                result=screen.result,
                referral_made=screen.result == ScreeningResult.REFER,
            )


def _ftm_notes(family: Family) -> str:
    """The discussion, in the family's words first (confidential to the family team)."""
    lines = [
        f"Going well, in the family's words: {family.going_well}",
        f"Worries: {family.worries}",
        _family_time_line(family),
    ]
    if family.plans:
        plan = family.plans[-1]
        primary = PermanencyGoal(plan.primary).label
        concurrent = PermanencyGoal(plan.concurrent).label
        lines.append(
            f"Concurrent plan discussed: {primary} as the primary goal, {concurrent} "
            "as the concurrent goal."
        )
    else:
        lines.append("Services and the in-home safety plan reviewed.")
    return "\n".join(line for line in [*lines, family.icwa_note] if line)


def _family_time_line(family: Family) -> str:
    plan = family.family_time
    if plan is None:
        return ""
    supervision = " stepping down to ".join(
        dict.fromkeys(Supervision(s).label.lower() for s in plan.supervision)
    )
    return f"Family time plan reviewed: {plan.per_week} a week, {supervision}."


def _owner(family: Family, key: str, users: dict[str, User]) -> User | None:
    """The demo user who owns an action item (None: the parent owns it)."""
    if not key:
        return None
    if key == "caseworker" and "caseworker2" in family.team:
        key = "caseworker2"
    assert key == "community_coordinator" or key in family.team, (family.key, key)
    return users[key]


def _weekday(day: dt.date) -> dt.date:
    """Courts and FTMs meet on weekdays: a Saturday or Sunday moves to the Monday."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _court_time(family: Family, number: int) -> dt.time:
    slot = (FAMILIES_INDEX[family.key] + number) % 6
    return dt.time(9 + slot // 2, 30 * (slot % 2))


def _docket(key: str) -> str:
    return f"{FAMILIES_INDEX[key] + 1:03d}"
