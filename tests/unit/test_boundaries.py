"""Import boundaries (STYLE.md): retrieval/ knows nothing of Discord; bot/ nothing of the index."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import ROOT

import retrieval


def _modules(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    return files


def _imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """(absolute module, imported names, line) for every import, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, tuple(a.name for a in node.names), node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            pkg = path.relative_to(ROOT).parts[0]
            out.append(
                (
                    f"{pkg}.{node.module or ''}".rstrip("."),
                    tuple(a.name for a in node.names),
                    node.lineno,
                )
            )
    return out


def _top(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.mark.parametrize("path", _modules("retrieval"), ids=lambda p: p.name)
def test_retrieval_never_imports_discord_or_bot(path):
    bad = [(m, line) for m, _names, line in _imports(path) if _top(m) in {"discord", "bot"}]
    assert bad == []


@pytest.mark.parametrize("path", _modules("bot"), ids=lambda p: p.name)
def test_bot_never_imports_llama_index_or_chromadb(path):
    bad = [
        (m, line) for m, _names, line in _imports(path) if _top(m) in {"llama_index", "chromadb"}
    ]
    assert bad == []


@pytest.mark.parametrize("path", _modules("bot"), ids=lambda p: p.name)
def test_bot_uses_only_the_public_retrieval_api(path):
    public = set(retrieval.__all__)
    bad = []
    for module, names, line in _imports(path):
        if _top(module) != "retrieval":
            continue
        if module != "retrieval" or not set(names) <= public:
            bad.append((module, names, line))
    assert bad == []
