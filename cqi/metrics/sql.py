"""The SQL the CQI definitions share, written once (METRICS.md "Conventions").

Every figure of the period (`cqi.metrics`), its monthly trend and its drill-down
(`cqi.breakdowns`) and the family-time page (`familytime.selectors`) build their queries from
these fragments: the cases in scope, the episodes under the age rule, first entries, the length
of stay, the days in care inside a period, case-months, the months of a period, a median's
histogram, an episode's latest placement; and the code sets the queries are given.

Constant text only: every value is a parameter (`%(name)s`), never formatted into the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from safebabies import codes

# ---------------------------------------------------------------------------------------------
# Code sets, passed to SQL as parameters (never formatted into the text).

PERMANENCY = sorted(str(c) for c in codes.PERMANENCY_REASONS)
REENTRY_EXITS = sorted(
    str(c)
    for c in (
        codes.DischargeReason.REUNIFICATION,
        codes.DischargeReason.RELATIVE,
        codes.DischargeReason.GUARDIANSHIP,
    )
)
NON_MOVE = sorted(str(c) for c in codes.NON_MOVE_SETTINGS)
MALTREATMENT = sorted(str(c) for c in codes.MALTREATMENT_REASONS)
SUBSTANTIATED = [
    str(codes.MaltreatmentDisposition.SUBSTANTIATED),
    str(codes.MaltreatmentDisposition.INDICATED),
]
DEVELOPMENTAL = [str(codes.Instrument.ASQ3), str(codes.Instrument.ASQSE2)]
SHORT_STAY_DAYS = 8  # LOS < 8 days is a short stay

# ---------------------------------------------------------------------------------------------
# Scope

# The cases a figure reads, `c` being cases_case: the sites' cases in the parts asked for (every
# part when `parts` is null). A case's part is the column `cqi_part` (`cqi.stamps`).
IN_SCOPE = """c.site_id = ANY(%(sites)s::bigint[])
       AND (%(parts)s::int[] IS NULL OR c.cqi_part = ANY(%(parts)s::int[]))"""
PART = "c.cqi_part"


@dataclass(frozen=True)
class Keys:
    """How a definition's rows are keyed: the leading columns of each row (`select`) and what
    the rows are grouped by (`group_by`). One definition, keyed by part, is a metric's state
    (rows `(site id, part, state key, counts...)`); keyed by case, its drill-down; keyed by
    month, its trend."""

    select: str
    group_by: str


# ---------------------------------------------------------------------------------------------
# Episodes

# Episodes of the sites' children, under the federal age rule (removal before the 18th birthday).
# The episodes are found by child through the index `episode_by_child_for_cqi`, which is on
# `child_id COLLATE "C"` (the same equality: ids compare byte by byte either way): without the
# COLLATE the planner probes the GiST exclusion index `episode_no_overlap` for each child
# instead, which it prices lower but is ten times slower (80 ms against 8 for 3,000 children
# among 100,000).
EPISODES_SELECT = f"""
    SELECT e.id, e.child_id, e.removal_date, e.discharge_date, e.discharge_reason, e.reasons,
           c.site_id, {PART} AS part, c.id AS case_id
      FROM cases_episode e
      JOIN cases_child ch ON ch.id = e.child_id COLLATE "C"
      JOIN cases_case c ON c.id = ch.case_id
     WHERE {IN_SCOPE}
       AND e.removal_date < (ch.birth_date + interval '18 years')::date
"""  # noqa: S608 (constant SQL fragments; every value is a parameter)
EPISODES = f"""
eps AS NOT MATERIALIZED ({EPISODES_SELECT})"""
# The same, of the children `%(children)s` only (a page about one family): each found through
# the children's primary key. From the episodes alone the planner reads every child of the site
# (the join compares ids with COLLATE "C", which the primary key's index does not answer): at
# 77,000 cases that was 42 ms of the case page's 84 ms of SQL.
EPISODES_OF_CHILDREN = f"""
eps AS NOT MATERIALIZED ({EPISODES_SELECT}       AND ch.id = ANY(%(children)s::text[]))"""

# Rows of `eps e` keyed by part (a metric's state, under the key 0) and by case (a drill-down).
EPISODES_BY_PART = Keys("e.site_id, e.part, 0", "1, 2")
EPISODES_BY_CASE = Keys("e.case_id", "e.case_id")
# ... and by the month of the removal (a trend of a cohort of removals).
EPISODES_BY_MONTH_OF_REMOVAL = Keys(
    "e.site_id, e.part, date_trunc('month', e.removal_date::timestamp)::date", "1, 2, 3"
)

# Each child's first episode with removal in the period (P1, P4); short stays still in it.
FIRST_ENTRIES = """
first_entry AS (
    SELECT DISTINCT ON (child_id) *
      FROM eps
     WHERE removal_date BETWEEN %(start)s AND %(end)s
     ORDER BY child_id, removal_date, id
)"""

# LOS of an episode, open episodes measured to the period end.
LOS = "(COALESCE({t}.discharge_date, %(end)s::date) - {t}.removal_date)"


def in_care_between(episode: str, start: str, end: str) -> str:
    """The episode `episode` has a day in care in [start, end] (SQL dates): removed on or
    before `end` and not discharged by `start`."""
    return (
        f"{episode}.removal_date <= {end}"
        f"\n       AND ({episode}.discharge_date IS NULL OR {episode}.discharge_date > {start})"
    )


def days_in_care_from(episode: str, start: str) -> str:
    """The first day in care of the episode `episode` inside a period from `start` (a SQL
    date): max(removal, start)."""
    return f"GREATEST({episode}.removal_date, {start})"


def days_in_care_to(episode: str, end: str) -> str:
    """The day after the last day in care of the episode `episode` inside a period up to `end`
    (a SQL date): min(discharge, end + 1). Days in care: [days_in_care_from, days_in_care_to)."""
    return f"LEAST(COALESCE({episode}.discharge_date, {end} + 1), {end} + 1)"


# Days in care of an episode inside the period: [max(removal, start), min(discharge, end+1)).
WINDOW = f"""
in_period AS (
    SELECT id, child_id, site_id, part,
           {days_in_care_from("eps", "%(start)s::date")} AS w_from,
           {days_in_care_to("eps", "%(end)s::date")} AS w_to
      FROM eps
     WHERE removal_date <= %(end)s
)"""  # noqa: S608 (constant SQL fragments; every value is a parameter)

# Placements of an episode `p` in order, and the latest first.
PLACEMENT_ORDER = "p.start_date, p.created_at, p.id"
LATEST_PLACEMENT_FIRST = "p.start_date DESC, p.created_at DESC, p.id DESC"


def last_placement(episode: str, begun_by: str | None = None) -> str:
    """`LEFT JOIN LATERAL (...) last_p ON true`: the setting and start date of the latest
    placement of the episode `episode` (of those begun by `begun_by`, a SQL date, if given);
    nulls without one."""
    begun = "" if begun_by is None else f" AND p.start_date <= {begun_by}"
    return f"""LEFT JOIN LATERAL (
                SELECT p.setting, p.start_date
                  FROM cases_placement p
                 WHERE p.episode_id = {episode}.id{begun}
                 ORDER BY {LATEST_PLACEMENT_FIRST}
                 LIMIT 1
          ) last_p ON true"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


# ---------------------------------------------------------------------------------------------
# Months

# The calendar months from the month of `start` to that of `end` (both first days of months).
MONTHS = """
months AS (
    SELECT m::date AS first_day, (m + interval '1 month' - interval '1 day')::date AS last_day
      FROM generate_series(%(start)s::timestamp, %(end)s::timestamp, interval '1 month') AS m
)"""

# Case-months (METRICS.md): a calendar month wholly inside the period, paired with a case open on
# its first and its last day. Rather than pairing every month with every case, each case gets the
# span of its case-months [lo, hi] (first days of months): from the first whole month of the
# period, or the first month that begins on or after the opening if later, to the last whole
# month of the period, or the last month that ends on or before the closing if earlier. A case
# with hi < lo has none. A month M begins on or after `opened_on` from the month after the
# opening's month, unless the opening is a 1st; it ends on or before `closed_on` up to the month
# before the month of closed_on + 1 day.
CASE_MONTH_SPANS = f"""
spans AS (
    SELECT c.id AS case_id, c.site_id, {PART} AS part,
           GREATEST(
               (date_trunc('month', (%(start)s::date - 1)::timestamp) + interval '1 month')::date,
               (date_trunc('month', (c.opened_on - 1)::timestamp) + interval '1 month')::date
           ) AS lo,
           LEAST(
               (date_trunc('month', (%(end)s::date + 1)::timestamp) - interval '1 month')::date,
               COALESCE(
                   (date_trunc('month', (c.closed_on + 1)::timestamp) - interval '1 month')::date,
                   'infinity'::date
               )
           ) AS hi
      FROM cases_case c
     WHERE {IN_SCOPE}
       AND c.opened_on <= %(end)s
),
case_spans AS (
    SELECT case_id, site_id, part, lo, hi,
           ((extract(year FROM hi) - extract(year FROM lo)) * 12
            + extract(month FROM hi) - extract(month FROM lo) + 1)::int AS months
      FROM spans
     WHERE hi >= lo
)"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


def case_month_hits(table: str, status_param: str) -> str:
    """A CTE `hits` (case_id, site_id, part, first_day): the case-months with at least one
    event of `table` (an FTM or a hearing) whose status is the parameter `status_param`; needs
    CASE_MONTH_SPANS."""
    # The distinct months are taken case by case (each case has one span), over the events
    # the index gives in date order, rather than by hashing every (case, month) of the site.
    return f"""
hits AS (
    SELECT cs.case_id, cs.site_id, cs.part, m.first_day
      FROM case_spans cs
     CROSS JOIN LATERAL (
           SELECT DISTINCT date_trunc('month', ev.scheduled_on::timestamp)::date AS first_day
             FROM {table} ev
            WHERE ev.case_id = cs.case_id
              AND ev.status = %({status_param})s
              AND ev.scheduled_on >= cs.lo
              AND ev.scheduled_on < (cs.hi + interval '1 month')::date
              AND ev.scheduled_on BETWEEN %(start)s AND %(end)s
     ) m
)"""  # noqa: S608 (constant SQL fragments and table names; every value is a parameter)


# ---------------------------------------------------------------------------------------------
# Medians


def median_histogram_sql(source: str, value: str, where: str) -> str:
    """Rows (site_id, part, value or null, count): the histogram of `value` over the rows of
    `source` meeting `where`, and (with a null value) every row of `source`, by part."""
    return f"""
    SELECT site_id, part, {value}, count(*) FROM {source} WHERE {where} GROUP BY 1, 2, 3
    UNION ALL
    SELECT site_id, part, NULL, count(*) FROM {source} GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
