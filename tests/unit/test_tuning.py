"""One tuning object: frozen, and the scoring modules keep no tuned numbers of their own."""

from __future__ import annotations

import ast
import dataclasses

import pytest
from helpers import ROOT

from retrieval.tuning import TUNING, Tuning

SCORING = ("retrieve.py", "answer.py", "verify.py", "pipeline.py")


def test_tuning_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TUNING.w_dense = 1.0  # type: ignore[misc]


def test_a_variant_is_made_by_replacing_fields():
    variant = dataclasses.replace(TUNING, judge_veto=0.95)
    assert variant.judge_veto == 0.95 and TUNING.judge_veto != 0.95
    assert isinstance(variant, Tuning)


@pytest.mark.parametrize("module", SCORING)
def test_scoring_module_defines_no_numeric_constants(module):
    tree = ast.parse((ROOT / "retrieval" / module).read_text())
    numeric = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, int | float)
    ]
    assert numeric == [], f"{module}: move {numeric} into retrieval/tuning.py"
