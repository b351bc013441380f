"""One version number: pyproject.toml's, shown by ``wirecheck --version`` and in the Changelog."""

from __future__ import annotations

import tomllib

import pytest
from helpers import ROOT

from bot import __version__
from bot.cli import main


def _pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_cli_prints_the_pyproject_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"wirecheck {_pyproject_version()}"
    assert __version__ == _pyproject_version()


def test_changelog_names_the_current_version():
    readme = (ROOT / "README.md").read_text()
    assert f"### {_pyproject_version()} " in readme
