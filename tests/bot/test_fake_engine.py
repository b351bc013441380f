"""The bot tests' FakeEngine keeps to the real Engine's methods: a renamed parameter or a new
one in Engine fails here instead of passing the bot tests against a stale fake."""

from __future__ import annotations

import inspect

import pytest
from bot_helpers import FakeEngine

from retrieval import Engine

FAKE_ONLY = {"called"}  # the fake's own test helpers


def _public_methods(cls) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and name not in FAKE_ONLY
    }


FAKE = _public_methods(FakeEngine)


def test_every_fake_method_exists_on_the_engine():
    assert set(FAKE) <= set(_public_methods(Engine))


@pytest.mark.parametrize("name", sorted(FAKE))
def test_fake_method_takes_what_the_engine_method_takes(name):
    real = inspect.signature(getattr(Engine, name))
    fake = FAKE[name]
    assert list(fake.parameters) == list(real.parameters), name
    for param in real.parameters.values():
        assert fake.parameters[param.name].default == param.default, (name, param.name)
        assert fake.parameters[param.name].kind == param.kind, (name, param.name)


def test_the_bot_uses_only_methods_the_fake_has():
    import ast
    from pathlib import Path

    used = set()
    for path in Path(__file__).resolve().parents[2].joinpath("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "engine"
            ):
                used.add(node.attr)
    engine_api = set(_public_methods(Engine)) | {"settings", "judge", "embedder", "state"}
    assert (used & engine_api) - set(FAKE) - {
        "settings",
        "judge",
        "embedder",
        "state",
        "close",
    } == set()
