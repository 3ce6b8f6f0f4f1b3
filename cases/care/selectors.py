"""What the case page's "Time in care" section shows: each child's removals with their
placements, discharges, maltreatment reports and recurrence, read through the access module
in a fixed number of queries."""

from dataclasses import dataclass, field

from cases.access import CaseAccess, case_records
from cases.models import Child, Episode, MaltreatmentReport, Placement
from cases.services import discharge_undoable
from cqi.metrics.reentry import ChildRecurrence, recurrence_of_children
from safebabies import codes


@dataclass
class PlacementRow:
    placement: Placement
    not_a_move: bool  # respite, trial home visit, runaway: not counted as a move (METRICS.md)


@dataclass
class EpisodeRow:
    episode: Episode
    placements: list[PlacementRow] = field(default_factory=list)
    undoable: bool = False  # a discharge recorded today can be undone

    @property
    def reasons(self) -> list[str]:
        return [codes.RemovalReason(reason).label for reason in self.episode.reasons]

    @property
    def current(self) -> Placement | None:
        if self.episode.discharge_date is not None:
            return None
        return next(
            (row.placement for row in reversed(self.placements) if row.placement.end_date is None),
            None,
        )


@dataclass
class ChildCare:
    child: Child
    episodes: list[EpisodeRow]
    reports: list[MaltreatmentReport]
    recurrence: ChildRecurrence | None

    @property
    def open_episode(self) -> EpisodeRow | None:
        return next((row for row in self.episodes if row.episode.discharge_date is None), None)

    @property
    def reentries(self) -> int:
        return max(len(self.episodes) - 1, 0)


def care_context(access: CaseAccess, children: list[Child]) -> dict:
    """The children's time in care (4 queries whatever their number)."""
    child_ids = [child.pk for child in children]
    episodes = list(case_records(access, "episode").order_by("removal_date", "id"))
    placements = list(
        case_records(access, "placement")
        .select_related("caregiver")
        .order_by("start_date", "created_at", "id")
    )
    reports = list(case_records(access, "maltreatment_report").order_by("reported_on", "id"))
    recurrences = recurrence_of_children(child_ids)
    by_child = {child.pk: child for child in children}
    rows: dict[str, EpisodeRow] = {}
    for episode in episodes:
        child = by_child.get(episode.child_id)
        if child is None:
            continue
        episode.child = child  # with its case and site, already loaded
        rows[episode.pk] = EpisodeRow(episode=episode)
    latest = {row.episode.child_id: row for row in rows.values()}  # episodes are by date
    for last in latest.values():  # a discharge the child came back into care after stays
        episode = last.episode
        last.undoable = episode.discharge_date is not None and discharge_undoable(episode)
    for placement in placements:
        held = rows.get(placement.episode_id)
        if held is not None:
            held.placements.append(
                PlacementRow(placement, placement.setting in codes.NON_MOVE_SETTINGS)
            )
    return {
        "care_children": [
            ChildCare(
                child=child,
                episodes=[row for row in rows.values() if row.episode.child_id == child.pk],
                reports=[report for report in reports if report.child_id == child.pk],
                recurrence=recurrences.get(child.pk),
            )
            for child in children
        ],
        "care_can_see_address": access.can_see_placement_address,
    }
