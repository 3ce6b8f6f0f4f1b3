"""`make loadtest`'s locustfile cannot rot silently: every page it asks for resolves.

Read with `ast`, not imported: importing Locust patches the standard library (gevent), and no
test starts gunicorn or runs Locust."""

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from safebabies.identity.roles import Role

LOCUSTFILE = Path(__file__).resolve().parent.parent / "safebabies" / "dev" / "locustfile.py"
TREE = ast.parse(LOCUSTFILE.read_text())


def _paths() -> dict[str, str]:
    for node in ast.walk(TREE):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PATHS" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("the locustfile has no PATHS")


PATHS = _paths()


@pytest.mark.parametrize("name", sorted(PATHS))
def test_every_page_the_load_test_asks_for_resolves(name):
    path = urlsplit(re.sub(r"\{(\w+)\}", "a1b2c3", PATHS[name])).path
    assert resolve(path).url_name, f"{name}: {PATHS[name]} resolves to no named URL"


def test_every_page_the_load_test_names_is_in_paths():
    # self._get("case page", ...), self.path("FTM autosave", ...): the first argument
    called = {
        node.args[0].value
        for node in ast.walk(TREE)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"_get", "path"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert called, "found no requests in the locustfile"
    assert called <= set(PATHS), f"not in PATHS: {called - set(PATHS)}"
    assert set(PATHS) <= called, f"in PATHS but never asked for: {set(PATHS) - called}"


def test_the_load_test_writes_no_path_outside_paths():
    paths_node = next(
        node.value
        for node in ast.walk(TREE)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "PATHS" for t in node.targets)
    )
    inside = {id(n) for n in ast.walk(paths_node)}
    stray = [
        node.value
        for node in ast.walk(TREE)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("/")
        and id(node) not in inside
    ]
    assert stray == []


def test_each_simulated_person_holds_a_real_role():
    roles = {
        node.value.value
        for node in ast.walk(TREE)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "role" for t in node.targets)
        and isinstance(node.value, ast.Constant)
        and node.value.value
    }
    assert len(roles) == 6
    assert roles <= set(Role.values)


def test_every_simulated_person_signs_in_again_during_the_run():
    """Sign-ins are mixed in with the pages (issue 23, item 5), not only at the start: every
    page a person asks for (`_get`) first signs them in again when their session has ended,
    and each sign-in sets when the next one ends (LOADTEST_SIGN_IN_EVERY on average)."""
    person = next(
        node for node in ast.walk(TREE) if isinstance(node, ast.ClassDef) and node.name == "Person"
    )
    functions = {node.name: node for node in person.body if isinstance(node, ast.FunctionDef)}

    def calls(function: str) -> set[str]:
        return {
            node.func.attr
            for node in ast.walk(functions[function])
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }

    assert "sign_in_again" in calls("_get")
    assert "sign_in" in calls("sign_in_again")
    assigned = {
        target.attr
        for node in ast.walk(functions["sign_in"])
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute)
    }
    assert "session_ends" in assigned


def test_think_time_is_the_default_unless_set():
    from safebabies.dev.loadtest import WAIT, think_time

    assert think_time("") == WAIT == (1.0, 3.0)
    assert think_time("10,30") == (10.0, 30.0)
    for wrong in ("3,1", "-1,2", "5"):
        with pytest.raises(ValueError):
            think_time(wrong)


def test_a_busy_sign_in_is_counted_apart_from_the_server_errors(tmp_path):
    from safebabies.dev.loadtest import split_server_errors

    log = tmp_path / "gunicorn.log"
    line = '127.0.0.1 - - [07/Dec/2026:14:00:00 +0000] "{} {} HTTP/1.1" {} 120 "-" "locust"'
    log.write_text(
        "\n".join(
            [
                line.format("POST", "/accounts/login/", 503),
                line.format("POST", "/api/v1/auth/token/", 503),
                line.format("POST", "/accounts/login/", 500),
                line.format("GET", "/cases/", 503),
                line.format("GET", "/healthz", 200),
            ]
        )
    )
    errors, busy = split_server_errors(log)
    assert busy == 2
    assert len(errors) == 2 and all('" 50' in e for e in errors)
    assert "/accounts/login/" in errors[0] and "/cases/" in errors[1]


def test_server_errors_are_found_in_the_access_log_format_gunicorn_writes(tmp_path):
    """The format of safebabies/gunicorn.conf.py (the response time after the size): a 5xx
    there was once never counted, so the run could not fail on one."""
    from safebabies.dev.loadtest import split_server_errors

    log = tmp_path / "gunicorn.log"
    line = '127.0.0.1 [07/Dec/2026:20:42:25 +0000] "{} {} HTTP/1.1" {} 88 10226ms "locust"'
    log.write_text(
        "\n".join(
            [
                line.format("POST", "/api/v1/auth/token/", 503),
                line.format("GET", "/cases/", 500),
                line.format("GET", "/healthz", 200),
            ]
        )
    )
    errors, busy = split_server_errors(log)
    assert busy == 1
    assert len(errors) == 1 and "/cases/" in errors[0]


def test_only_a_traceback_through_the_locustfile_fails_the_run():
    from safebabies.dev.loadtest import locustfile_tracebacks

    ours = (
        "Traceback (most recent call last):\n"
        '  File "/app/safebabies/dev/locustfile.py", line 120, in sign_in\n'
        "KeyError: 'csrftoken'\n"
    )
    locusts = (
        "Traceback (most recent call last):\n"
        '  File "/venv/lib/python3.13/site-packages/locust/stats.py", line 990, in _stats_writer\n'
        "ValueError: I/O operation on closed file.\n"
    )
    assert locustfile_tracebacks(locusts) == []
    assert locustfile_tracebacks("warning\n" + locusts + ours) == [ours]
    assert locustfile_tracebacks("") == []
