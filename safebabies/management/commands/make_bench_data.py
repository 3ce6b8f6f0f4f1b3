"""`manage.py make_bench_data`: a large synthetic site for benchmarks, built by
`safebabies.dev.benchdata` (which the production image leaves out)."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Build a large synthetic site for benchmarks (bulk COPY). Never run it on a real database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--site", default="bench")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, cases, site, seed, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1")
        try:
            from safebabies.dev.benchdata import build
        except ModuleNotFoundError as error:
            if error.name != "safebabies.dev.benchdata":
                raise
            raise CommandError(
                "The benchmark tooling is not in the production image: run it from a checkout."
            ) from error
        started = time.monotonic()
        counts = build(cases=cases, site_slug=site, seed=seed)
        elapsed = time.monotonic() - started
        for table, n in counts.items():
            self.stdout.write(f"{table:28} {n:>10,}")
        self.stdout.write(f"built {cases:,} cases at site {site!r} in {elapsed:.1f} s")
