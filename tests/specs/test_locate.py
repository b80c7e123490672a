"""The specs are found from the main checkout, a worktree or CI's clone, and never silently missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.specs import REPO, SPECS_ENV, SpecsMissing, specs_dir


def test_found_beside_the_repository_or_one_of_its_ancestors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SPECS_ENV, raising=False)
    found = specs_dir()
    assert found.name == "specs" and found.parent.name == "shared"
    assert REPO.is_relative_to(found.parent.parent)  # CI: <clone>/../shared/specs


def test_the_environment_overrides_and_a_missing_folder_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SPECS_ENV, str(specs_dir()))
    assert specs_dir() == Path(str(specs_dir()))
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    with pytest.raises(SpecsMissing, match=SPECS_ENV):
        specs_dir()
