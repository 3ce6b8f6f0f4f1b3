"""`make lint` keeps the architecture: the import-linter layers, the access lint over every
interface file, and no private names across modules. Each check passes on the tree as it is
and fails on a copy of it with one violation planted."""

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = [
    "safebabies",
    "cases",
    "teams",
    "assessments",
    "familytime",
    "workforce",
    "community",
    "cqi",
]
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> pathlib.Path:
    """A copy of the project's code, to plant violations in."""
    copy = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    return copy


def plant(tree: pathlib.Path, relative: str, text: str):
    """Adds `text` to the file; returns a function that takes it away again."""
    path = tree / relative
    before = path.read_text() if path.exists() else None
    path.write_text((before or "") + text)

    def undo() -> None:
        if before is None:
            path.unlink()
        else:
            path.write_text(before)

    return undo


def import_contracts(tree: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def access_lint(tree: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/lint-rules.sh"],  # noqa: S607 - the system's bash
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


def private_names(tree: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "scripts/private_imports.py", str(tree)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_hold_on_the_tree_as_it_is(tree):
    result = import_contracts(tree)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # the identity layer imports a feature
        (
            "safebabies/identity/selectors.py",
            "\nimport teams.models  # noqa\n",
            "teams.models",
        ),
        # the case records import the case page's sections
        ("cases/services.py", "\nimport familytime.selectors  # noqa\n", "familytime"),
        # a feature imports the reports on top
        ("assessments/selectors.py", "\nimport cqi.dashboard  # noqa\n", "cqi.dashboard"),
        # the kit imports the case records
        ("safebabies/kit/forms.py", "\nimport cases.models  # noqa\n", "cases.models"),
        # the application imports the developer tooling
        ("safebabies/notify/reminders.py", "\nimport safebabies.dev.demo  # noqa\n", "dev.demo"),
    ],
)
def test_the_import_contract_refuses_an_import_upwards(tree, module, line, named):
    undo = plant(tree, module, line)
    try:
        result = import_contracts(tree)
    finally:
        undo()
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert named in result.stdout


def test_the_access_lint_holds_on_the_tree_as_it_is(tree):
    result = access_lint(tree)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "interface",
    [
        "cases/views.py",
        "teams/api.py",
        "assessments/views.py",
        "familytime/api.py",
        "cases/hearings/pdf.py",
        "safebabies/notify/views.py",
        "safebabies/identity/admin.py",
        "cases/api/views.py",
    ],
)
def test_the_access_lint_catches_a_manager_in_any_interface_file(tree, interface):
    undo = plant(tree, interface, "\n\ndef planted(pk):\n    return Visit.objects.get(pk=pk)\n")
    try:
        result = access_lint(tree)
    finally:
        undo()
    assert result.returncode == 1
    assert f"{interface}:" in result.stdout
    assert "access module" in result.stdout


def test_no_private_name_crosses_a_module(tree):
    result = private_names(tree)
    assert result.returncode == 0, result.stdout


def test_a_private_name_imported_from_another_module_is_caught(tree):
    undo = plant(tree, "teams/views.py", "\nfrom cases.services import _open_episode  # noqa\n")
    try:
        result = private_names(tree)
    finally:
        undo()
    assert result.returncode == 1
    assert "_open_episode from cases.services" in result.stdout


@pytest.mark.parametrize("module", ["cqi/views.py", "safebabies/identity/accounts/views.py"])
def test_a_csv_writer_outside_the_safe_helper_is_caught(tree, module):
    undo = plant(tree, module, "\n\ndef planted(out):\n    return csv.writer(out)\n")
    try:
        result = access_lint(tree)
    finally:
        undo()
    assert result.returncode == 1
    assert f"{module}:" in result.stdout
    assert "csvsafe" in result.stdout


def test_a_style_attribute_in_a_template_is_caught(tree):
    """The Content-Security-Policy blocks inline styles: a style attribute would silently not
    apply, so the lint refuses it (a class in static/css/app.css instead)."""
    (tree / "templates").mkdir(exist_ok=True)
    undo = plant(tree, "templates/planted.html", '<form style="max-width: 30rem">')
    try:
        result = access_lint(tree)
    finally:
        undo()
    assert result.returncode == 1
    assert "templates/planted.html:1:" in result.stdout
    assert "CSP" in result.stdout
    assert access_lint(tree).returncode == 0
