"""The CQI cache's code version (`cqi.cache.code_version`): a digest of every module of the
`cqi.metrics` package and of the other code that defines the figures, so that a change to any of
them (or a module added, removed or renamed) puts the figures in a new cache namespace."""

import pkgutil
import shutil
from pathlib import Path

import pytest

import cqi
import cqi.metrics
from cqi import cache

CQI = Path(cqi.__file__).parent


@pytest.fixture
def copy(tmp_path):
    """A copy of the code that defines the figures, laid out as under `cqi/`."""
    root = tmp_path / "cqi"
    for path in cache.definition_files(CQI):
        target = root / path.relative_to(CQI)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def test_the_version_is_stable_across_calls_and_copies(copy):
    assert cache.code_version() == cache.code_version() == cache.CODE_VERSION
    assert cache.code_version(copy) == cache.code_version(copy) == cache.CODE_VERSION


def test_the_version_covers_every_module_of_the_metrics_package():
    covered = {path.relative_to(CQI).as_posix() for path in cache.definition_files(CQI)}
    package = Path(cqi.metrics.__file__).parent
    modules = {
        (package / f"{m.name}.py").relative_to(CQI).as_posix()
        for m in pkgutil.iter_modules([str(package)])
    }
    assert {"metrics/__init__.py", *modules} <= covered
    assert {"breakdowns.py", "cache.py", "stamps.py"} <= covered


def test_editing_any_module_changes_the_version(copy):
    seen = {cache.code_version(copy)}
    for path in cache.definition_files(copy):
        path.write_text(path.read_text() + "\n# an edit\n")
        version = cache.code_version(copy)
        assert version not in seen, path
        seen.add(version)


def test_adding_removing_or_renaming_a_module_changes_the_version(copy):
    before = cache.code_version(copy)
    added = copy / "metrics" / "a_new_family.py"
    added.write_text('"""A new family of metrics."""\n')
    with_added = cache.code_version(copy)
    assert with_added != before
    added.rename(copy / "metrics" / "another_name.py")
    assert cache.code_version(copy) not in {before, with_added}
    (copy / "metrics" / "another_name.py").unlink()
    assert cache.code_version(copy) == before
    (copy / "metrics" / "sub").mkdir()
    (copy / "metrics" / "sub" / "__init__.py").write_text("")
    assert cache.code_version(copy) != before
