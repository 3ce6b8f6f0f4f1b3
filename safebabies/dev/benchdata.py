"""A large synthetic site for benchmarks (`make_bench_data`), written with COPY.

Shapes follow a Safe Babies site: one or two children a case, a removal with one to three
placements, monthly FTMs and hearings, family time three times a week over the last eight weeks,
screenings and services. Values are random but deterministic for a given seed. No real people.
"""

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

from cqi import stamps
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.lib.ids import new_id

BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105
GIVEN = ["Ava", "Mateo", "Liam", "Sofia", "Noah", "Maya", "Elijah", "Luna", "Jayden", "Isla"]
FAMILY = ["Rivera", "Johnson", "Nguyen", "Smith", "Garcia", "Brown", "Lee", "Martinez", "Davis"]


def _model_defaults(table: str, columns: list[str]) -> list[tuple[str, Any]]:
    """The columns a COPY leaves out that need the model's default (COPY only applies the
    database's defaults): new fields then never break the benchmark data."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return [
        (str(field.column), field.get_db_prep_save(field.get_default(), connection))
        for field in model._meta.concrete_fields
        if field.column not in columns
        and not field.null
        and field.db_default is NOT_PROVIDED
        and (field.has_default() or field.empty_strings_allowed)
    ]


def _copy(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into a table; values are written with psycopg's own adaptation."""
    defaults = _model_defaults(table, columns)
    columns = [*columns, *(column for column, _ in defaults)]
    extra = tuple(value for _, value in defaults)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
    return count


# A recorded barrier on about one service in four (the Active Community Team's view).
BARRIERS = ["waitlist", "transport", "cost", "language", "", "", "", "", "", "", "", ""]


def build(
    *, cases: int, site_slug: str, seed: int = 7, today: dt.date | None = None
) -> dict[str, int]:
    """Create `cases` synthetic cases at site `site_slug` (created if needed).

    Returns the row count of each table written."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    site, _ = Site.objects.get_or_create(
        slug=site_slug, defaults={"name": f"Bench site {site_slug}"}
    )
    coordinator, created = User.objects.get_or_create(
        email=f"coordinator@{site_slug}.bench.test", defaults={"full_name": "Bench Coordinator"}
    )
    if created:
        coordinator.set_password(BENCH_PASSWORD)
        coordinator.save(update_fields=["password"])
    SiteMembership.objects.get_or_create(user=coordinator, site=site, role="community_coordinator")
    now = dt.datetime.now(dt.UTC)
    rows: dict[str, list[tuple]] = {
        k: []
        for k in (
            "case",
            "child",
            "episode",
            "placement",
            "plan",
            "hearing",
            "ftm",
            "item",
            "visit",
            "screening",
            "service",
            "team",
        )
    }
    counts: dict[str, int] = {}

    def flush(final: bool = False) -> None:
        if not final and len(rows["visit"]) < 50_000:
            return
        spec = [
            (
                "cases_case",
                "case",
                [
                    "id",
                    "site_id",
                    "name",
                    "opened_on",
                    "closed_on",
                    "enrollment",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "cases_child",
                "child",
                [
                    "id",
                    "case_id",
                    "given_name",
                    "family_name",
                    "birth_date",
                    "sex",
                    "race",
                    "hispanic",
                    "icwa",
                    "enrolled_on",
                    "exited_on",
                    "docket_number",
                    "preferred_language",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "cases_episode",
                "episode",
                [
                    "id",
                    "child_id",
                    "removal_date",
                    "manner",
                    "reasons",
                    "discharge_date",
                    "discharge_reason",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "cases_placement",
                "placement",
                [
                    "id",
                    "episode_id",
                    "setting",
                    "start_date",
                    "end_date",
                    "end_reason",
                    "address",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "cases_permanencyplan",
                "plan",
                [
                    "id",
                    "child_id",
                    "effective_date",
                    "primary_goal",
                    "concurrent_goal",
                    "reason",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "cases_hearing",
                "hearing",
                [
                    "id",
                    "case_id",
                    "hearing_type",
                    "scheduled_on",
                    "courtroom",
                    "status",
                    "continuance_reason",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "teams_ftm",
                "ftm",
                [
                    "id",
                    "case_id",
                    "scheduled_on",
                    "location",
                    "status",
                    "parent_attended",
                    "parent_mentor_attended",
                    "attendee_roles",
                    "notes",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "teams_ftmactionitem",
                "item",
                [
                    "id",
                    "ftm_id",
                    "description",
                    "owner_role",
                    "due_on",
                    "completed_on",
                    "status",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "familytime_visit",
                "visit",
                [
                    "id",
                    "child_id",
                    "scheduled_on",
                    "status",
                    "cancelled_by",
                    "duration_minutes",
                    "supervision",
                    "location",
                    "observations",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "assessments_screening",
                "screening",
                [
                    "id",
                    "case_id",
                    "child_id",
                    "subject",
                    "instrument",
                    "screened_on",
                    "result",
                    "referral_made",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "assessments_service",
                "service",
                [
                    "id",
                    "case_id",
                    "child_id",
                    "recipient",
                    "service_type",
                    "provider",
                    "evidence_based",
                    "referred_on",
                    "started_on",
                    "ended_on",
                    "status",
                    "barrier",
                    "created_at",
                    "updated_at",
                ],
            ),
            ("cases_teammember", "team", ["case_id", "user_id", "role", "added_at"]),
        ]
        for table, key, columns in spec:
            if rows[key]:
                counts[table] = counts.get(table, 0) + _copy(table, columns, rows[key])
                rows[key].clear()

    with transaction.atomic(), stamps.deferred([site.id]):  # one data stamp, at the end
        for _ in range(cases):
            case_id = new_id()
            opened = today - dt.timedelta(days=rng.randint(10, 900))
            closed = None
            if (today - opened).days > 400 and rng.random() < 0.5:
                closed = opened + dt.timedelta(days=rng.randint(200, (today - opened).days))
            family = rng.choice(FAMILY)
            rows["case"].append(
                (case_id, site.id, f"{family} family", opened, closed, "out_of_home", now, now)
            )
            rows["team"].append((case_id, coordinator.id, "community_coordinator", now))
            for _child in range(1 if rng.random() < 0.7 else 2):
                child_id = new_id()
                birth = opened - dt.timedelta(days=rng.randint(0, 1000))
                rows["child"].append(
                    (
                        child_id,
                        case_id,
                        rng.choice(GIVEN),
                        family,
                        birth,
                        rng.choice(["male", "female"]),
                        [rng.choice(["black", "white", "asian", "american_indian_alaska_native"])],
                        rng.choice(["yes", "no"]),
                        "does_not_apply",
                        opened,
                        closed,
                        f"JD-{rng.randint(10**6, 10**7)}",
                        "English",
                        now,
                        now,
                    )
                )
                removal = opened
                discharge = closed
                reason = (
                    rng.choice(["reunification", "relative", "guardianship", "adoption"])
                    if closed
                    else ""
                )
                episode_id = new_id()
                rows["episode"].append(
                    (
                        episode_id,
                        child_id,
                        removal,
                        "court_ordered",
                        ["neglect", "parent_drugs"],
                        discharge,
                        reason,
                        now,
                        now,
                    )
                )
                start = removal
                end_of_care = discharge or today
                moves = rng.choice([0, 0, 0, 1, 2])
                for move in range(moves + 1):
                    last = move == moves
                    end = (
                        None
                        if last and discharge is None
                        else (
                            discharge
                            if last
                            else min(start + dt.timedelta(days=rng.randint(20, 120)), end_of_care)
                        )
                    )
                    rows["placement"].append(
                        (
                            new_id(),
                            episode_id,
                            rng.choice(["relative_foster", "nonrelative_foster"]),
                            start,
                            end,
                            "" if last else "Moved closer to the parent",
                            "",
                            now,
                            now,
                        )
                    )
                    if end is None or end >= end_of_care:
                        break
                    start = end
                rows["plan"].append(
                    (
                        new_id(),
                        child_id,
                        removal + dt.timedelta(days=2),
                        "reunification",
                        "relative",
                        "",
                        now,
                        now,
                    )
                )
                for week in range(8):
                    monday = today - dt.timedelta(days=today.weekday() + 7 * (8 - week))
                    for offset in (0, 2, 4):
                        day = monday + dt.timedelta(days=offset)
                        if day < removal or (discharge and day >= discharge):
                            continue
                        status = rng.choices(["held", "cancelled", "no_show"], [8, 1, 1])[0]
                        rows["visit"].append(
                            (
                                new_id(),
                                child_id,
                                day,
                                status,
                                "agency" if status == "cancelled" else "",
                                120 if status == "held" else None,
                                "supervised",
                                "agency",
                                "",
                                now,
                                now,
                            )
                        )
                rows["screening"].append(
                    (
                        new_id(),
                        case_id,
                        child_id,
                        "child",
                        "asq3",
                        removal + dt.timedelta(days=rng.randint(5, 60)),
                        rng.choice(["no_concern", "monitor", "refer"]),
                        False,
                        now,
                        now,
                    )
                )
                rows["service"].append(
                    (
                        new_id(),
                        case_id,
                        child_id,
                        "dyad",
                        "child_parent_psychotherapy",
                        "Bench Clinic",
                        True,
                        removal + dt.timedelta(days=rng.randint(1, 30)),
                        None,
                        None,
                        "referred",
                        rng.choice(BARRIERS),
                        now,
                        now,
                    )
                )
            month = opened
            while month <= (closed or today):
                rows["hearing"].append(
                    (
                        new_id(),
                        case_id,
                        "review",
                        month,
                        "3B",
                        "held" if month < today else "scheduled",
                        "",
                        now,
                        now,
                    )
                )
                ftm_id = new_id()
                held = month < today
                rows["ftm"].append(
                    (
                        ftm_id,
                        case_id,
                        month,
                        "Family resource centre",
                        "held" if held else "scheduled",
                        held,
                        held,
                        ["caseworker", "community_coordinator"] if held else [],
                        "",
                        now,
                        now,
                    )
                )
                if held:
                    due = month + dt.timedelta(days=30)
                    done = rng.random() < 0.7
                    rows["item"].append(
                        (
                            new_id(),
                            ftm_id,
                            "Call the housing navigator",
                            "caseworker",
                            due,
                            due if done else None,
                            "done" if done else "open",
                            now,
                            now,
                        )
                    )
                month += dt.timedelta(days=30)
            flush()
        flush(final=True)
    return counts
