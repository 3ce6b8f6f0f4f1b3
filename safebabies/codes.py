"""The data package's code lists (DATA_PACKAGE.md): one vocabulary for the database, the
API, forms, import and export. Labels are the words people read in the UI."""

from django.db import models
from django.utils.translation import gettext_lazy


class Enrollment(models.TextChoices):
    OUT_OF_HOME = "out_of_home", "Out of home"
    IN_HOME = "in_home", "In home"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    UNKNOWN = "unknown", "Unknown"


class Race(models.TextChoices):
    AMERICAN_INDIAN_ALASKA_NATIVE = (
        "american_indian_alaska_native",
        "American Indian or Alaska Native",
    )
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = (
        "native_hawaiian_pacific_islander",
        "Native Hawaiian or Pacific Islander",
    )
    WHITE = "white", "White"
    UNABLE_TO_DETERMINE = "unable_to_determine", "Unable to determine"
    DECLINED = "declined", "Declined"


class Hispanic(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNABLE_TO_DETERMINE = "unable_to_determine", "Unable to determine"


class Icwa(models.TextChoices):
    APPLIES = "applies", "ICWA applies"
    REASON_TO_KNOW = "reason_to_know", "Reason to know"
    DOES_NOT_APPLY = "does_not_apply", "Does not apply"
    UNKNOWN = "unknown", "Not yet known"


class RemovalManner(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    COURT_ORDERED = "court_ordered", "Court ordered"


class RemovalReason(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    PARENT_ALCOHOL = "parent_alcohol", "Parent alcohol use"
    PARENT_DRUGS = "parent_drugs", "Parent drug use"
    PRENATAL_SUBSTANCE_EXPOSURE = "prenatal_substance_exposure", "Prenatal substance exposure"
    CARETAKER_INABILITY_TO_COPE = "caretaker_inability_to_cope", "Caretaker inability to cope"
    ABANDONMENT = "abandonment", "Abandonment"
    INADEQUATE_HOUSING = "inadequate_housing", "Inadequate housing"
    PARENT_INCARCERATION = "parent_incarceration", "Parent incarceration"
    OTHER = "other", "Other"


MALTREATMENT_REASONS = frozenset(
    {
        RemovalReason.PHYSICAL_ABUSE,
        RemovalReason.SEXUAL_ABUSE,
        RemovalReason.NEGLECT,
        RemovalReason.ABANDONMENT,
        RemovalReason.PRENATAL_SUBSTANCE_EXPOSURE,
    }
)


class DischargeReason(models.TextChoices):
    REUNIFICATION = "reunification", "Reunification"
    RELATIVE = "relative", "Living with a relative"
    ADOPTION = "adoption", "Adoption"
    GUARDIANSHIP = "guardianship", "Guardianship"
    TRANSFER = "transfer", "Transfer to another agency"
    RUNAWAY = "runaway", "Runaway"
    DEATH = "death", "Death"
    EMANCIPATION = "emancipation", "Emancipation"
    OTHER = "other", "Other"


PERMANENCY_REASONS = frozenset(
    {
        DischargeReason.REUNIFICATION,
        DischargeReason.RELATIVE,
        DischargeReason.GUARDIANSHIP,
        DischargeReason.ADOPTION,
    }
)


class PlacementSetting(models.TextChoices):
    RELATIVE_FOSTER = "relative_foster", "Relative / kin resource home"
    NONRELATIVE_FOSTER = "nonrelative_foster", "Non-relative foster home"
    PRE_ADOPTIVE = "pre_adoptive", "Pre-adoptive home"
    TRIAL_HOME_VISIT = "trial_home_visit", "Trial home visit"
    GROUP_HOME = "group_home", "Group home"
    INSTITUTION = "institution", "Institution"
    RESPITE = "respite", "Respite"
    RUNAWAY = "runaway", "Runaway"
    OTHER = "other", "Other"


# Settings that are not counted as a move or as a placement (METRICS.md).
NON_MOVE_SETTINGS = frozenset(
    {PlacementSetting.TRIAL_HOME_VISIT, PlacementSetting.RUNAWAY, PlacementSetting.RESPITE}
)


class PermanencyGoal(models.TextChoices):
    REUNIFICATION = "reunification", "Reunification"
    RELATIVE = "relative", "Placement with a relative"
    ADOPTION = "adoption", "Adoption"
    GUARDIANSHIP = "guardianship", "Guardianship"
    PPLA = "planned_permanent_living_arrangement", "Planned permanent living arrangement"
    NOT_ESTABLISHED = "not_established", "Not yet established"


class HearingType(models.TextChoices):
    PRELIMINARY_PROTECTIVE = "preliminary_protective", "Preliminary protective / shelter"
    ADJUDICATION = "adjudication", "Adjudication"
    DISPOSITION = "disposition", "Disposition"
    REVIEW = "review", "Review"
    PERMANENCY = "permanency", "Permanency"
    TERMINATION = "termination", "Termination of parental rights"
    OTHER = "other", "Other"


class HearingAttendee(models.TextChoices):
    """Who was at a hearing, by role (the court's record of attendance)."""

    PARENT = "parent", "Parent"
    RESOURCE_PARENT = "resource_parent", "Resource parent"
    RELATIVE = "relative", "Relative or other support"
    CHILD = "child", "The child"
    CASEWORKER = "caseworker", "Caseworker"
    PARENT_ATTORNEY = "parent_attorney", "Parent's attorney"
    CHILD_ATTORNEY = "child_attorney", "Child's attorney"
    GAL_CASA = "gal_casa", "GAL / CASA"
    COMMUNITY_COORDINATOR = "community_coordinator", "Community Coordinator"
    PARENT_MENTOR = "parent_mentor", "Parent mentor"
    CLINICIAN = "clinician", "Clinician"
    AGENCY_ATTORNEY = "agency_attorney", "Agency attorney"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CONTINUED = "continued", "Continued"
    CANCELLED = "cancelled", "Cancelled"


class FtmStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class CancelledBy(models.TextChoices):
    PARENT = "parent", "Parent"
    AGENCY = "agency", "Agency"
    RESOURCE_PARENT = "resource_parent", "Resource parent"
    CHILD_ILLNESS = "child_illness", "Child ill"
    PROVIDER = "provider", "Provider"
    OTHER = "other", "Other"


class Supervision(models.TextChoices):
    SUPERVISED = "supervised", "Supervised"
    MONITORED = "monitored", "Monitored"
    UNSUPERVISED = "unsupervised", "Unsupervised"
    OVERNIGHT = "overnight", "Overnight"


class VisitLocation(models.TextChoices):
    # labels in the translation catalogue: the family's own page names the place
    FAMILY_HOME = "family_home", gettext_lazy("Family home")
    RESOURCE_HOME = "resource_home", gettext_lazy("Resource home")
    COMMUNITY = "community", gettext_lazy("Community")
    AGENCY = "agency", gettext_lazy("Agency")
    THERAPEUTIC = "therapeutic", gettext_lazy("Therapeutic setting")
    VIRTUAL = "virtual", gettext_lazy("Virtual")


class ScreeningSubject(models.TextChoices):
    CHILD = "child", "Child"
    PARENT = "parent", "Parent"
    CAREGIVER = "caregiver", "Caregiver"


class Instrument(models.TextChoices):
    ASQ3 = "asq3", "ASQ-3"
    ASQSE2 = "asqse2", "ASQ:SE-2"
    MCHAT = "mchat", "M-CHAT"
    HEALTH_INITIAL = "health_initial", "Initial health screening"
    HEALTH_COMPREHENSIVE = "health_comprehensive", "Comprehensive health assessment"
    EPDS = "epds", "Edinburgh Postnatal Depression Scale"
    PHQ9 = "phq9", "PHQ-9"
    SUBSTANCE_USE = "substance_use", "Substance use screening"
    # screening the whole family (issue 22 item 4, seed 002 CC6): a parent's or caregiver's
    # housing, basic (concrete) needs, intimate-partner violence and trauma
    HOUSING = "housing", "Housing screen"
    BASIC_NEEDS = "basic_needs", "Basic needs (concrete needs) screen"
    IPV = "ipv", "Intimate-partner violence screen"
    TRAUMA = "trauma", "Trauma screen"
    OTHER = "other", "Other"


class ScreeningResult(models.TextChoices):
    NO_CONCERN = "no_concern", "No concern"
    MONITOR = "monitor", "Monitor"
    REFER = "refer", "Refer"


class ServiceRecipient(models.TextChoices):
    CHILD = "child", "Child"
    PARENT = "parent", "Parent"
    DYAD = "dyad", "Parent and child together"
    FAMILY = "family", "Family"


class ServiceType(models.TextChoices):
    CHILD_PARENT_PSYCHOTHERAPY = "child_parent_psychotherapy", "Child-Parent Psychotherapy"
    ABC = "abc", "Attachment and Biobehavioral Catch-up"
    CIRCLE_OF_SECURITY = "circle_of_security", "Circle of Security"
    MINDING_THE_BABY = "minding_the_baby", "Minding the Baby"
    PROMOTING_FIRST_RELATIONSHIPS = "promoting_first_relationships", "Promoting First Relationships"
    EARLY_INTERVENTION = "early_intervention", "Early Intervention (IDEA Part C)"
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment", "Substance use treatment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING = "housing", "Housing"
    CONCRETE_NEEDS = "concrete_needs", "Concrete needs"
    PARENTING = "parenting", "Parenting"
    MEDICAL = "medical", "Medical"
    CHILD_CARE = "child_care", "Child care"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence"
    OTHER = "other", "Other"


class ServiceStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    WAITLISTED = "waitlisted", "Waitlisted"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CLOSED_UNSUCCESSFUL = "closed_unsuccessful", "Closed, unsuccessful"


class MaltreatmentDisposition(models.TextChoices):
    SUBSTANTIATED = "substantiated", "Substantiated"
    INDICATED = "indicated", "Indicated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"


class ServiceBarrier(models.TextChoices):
    """Why a family cannot reach a service: the Active Community Team works on these."""

    WAITLIST = "waitlist", "Waitlist"
    TRANSPORT = "transport", "Transport"
    COST = "cost", "Cost or insurance"
    LANGUAGE = "language", "Language"
    CHILD_CARE = "child_care", "Child care"
    SCHEDULE = "schedule", "Schedule or work hours"
    NO_PROVIDER = "no_provider", "No provider nearby"
    ELIGIBILITY = "eligibility", "Eligibility"
    OTHER = "other", "Other"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    CHANGED = "changed", "Changed"
