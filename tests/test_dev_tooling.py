"""The developer tooling of `safebabies/dev/` behind its thin management commands."""

import sys

import pytest
from django.core.management import CommandError, call_command


def test_make_bench_data_says_so_where_the_benchmark_tooling_is_left_out(monkeypatch):
    # As in the production image, which leaves out safebabies/dev/bench*.py (.dockerignore).
    monkeypatch.setitem(sys.modules, "safebabies.dev.benchdata", None)
    with pytest.raises(CommandError, match="not in the production image"):
        call_command("make_bench_data", "--cases", "1")


def test_make_bench_data_refuses_an_empty_site():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("make_bench_data", "--cases", "0")
