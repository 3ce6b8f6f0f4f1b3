"""Tooling for developers, never imported by the running application.

- `demo.py` (and `demo_case_plan.py`): the demo site behind `manage.py seed_demo`;
- `bench.py`: `make bench`, with `benchdata.py` (`manage.py make_bench_data`) and
  `benchfamily.py` (one family with two years of records for the pre-hearing summary);
- `embedded.py`: the embedded PostgreSQL and Redis of `make run` and `make test`.

The management commands stay in their apps (`cases`, `safebabies`) as the interface and call
into this package. The production image leaves out the benchmark and the embedded services
(`.dockerignore`); the demo stays in it for a public demo server (`seed_demo --allow-production`).
"""
