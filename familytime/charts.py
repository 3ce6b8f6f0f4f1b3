"""The small weekly family-time chart, as numbers an SVG template draws (no inline styles:
sizes are SVG attributes)."""

from dataclasses import dataclass

from familytime.selectors import WeekBar

WIDTH, HEIGHT, TOP, BAR, GROUP = 264, 96, 8, 13, 66
PLOT = HEIGHT - TOP - 18  # room for the week labels below


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    height: float
    value: int
    kind: str  # planned | held | missed


@dataclass(frozen=True)
class Group:
    week: WeekBar
    x: int
    label_x: int
    bars: list[Bar]
    target_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    label_y: int
    groups: list[Group]


def weekly_chart(weeks: list[WeekBar]) -> Chart:
    top = max([1, *(float(w.target) for w in weeks), *(w.planned for w in weeks)])
    scale = PLOT / top
    baseline = TOP + PLOT
    groups = []
    for index, week in enumerate(weeks):
        x = index * GROUP
        values = [
            ("planned", week.planned),
            ("held", week.held),
            ("missed", week.cancelled_total + week.no_show),
        ]
        bars = [
            Bar(
                x=x + 6 + n * (BAR + 3),
                y=round(baseline - value * scale, 1),
                height=round(value * scale, 1),
                value=value,
                kind=kind,
            )
            for n, (kind, value) in enumerate(values)
        ]
        groups.append(
            Group(
                week=week,
                x=x,
                label_x=x + 6 + (3 * BAR + 6) // 2,
                bars=bars,
                target_y=round(baseline - float(week.target) * scale, 1),
            )
        )
    return Chart(width=WIDTH, height=HEIGHT, baseline=baseline, label_y=HEIGHT - 4, groups=groups)
