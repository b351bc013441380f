"""Questions and terminal output: what hostile text is turned into."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.terminal import json_line, preview, terminal_safe
from retrieval.inputs import InputError, clean_text


def test_controls_and_format_marks_are_removed_from_questions():
    assert clean_text("Why\x00 isn't\u202e Russia\u200b helping\tIran?") == (
        "Why isn't Russia helping Iran?"
    )


def test_a_lone_surrogate_is_refused():
    with pytest.raises(InputError, match="lone surrogate"):
        clean_text("Putin \ud800?")


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b]0;pwned\x07",
        "\x1b[2J\x1b[H",
        "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
        "\x9b31m",
        "\u202egnp.exe",
        "\x1bc",
    ],
)
def test_terminal_output_holds_no_control_sequence(hostile):
    shown = terminal_safe(f"title {hostile} end")
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in shown)
    assert not any(0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown


@given(st.text())
def test_terminal_safe_leaves_nothing_a_terminal_would_act_on(text):
    shown = terminal_safe(text)
    assert all(c in "\n\t" or not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) for c in shown)
    shown.encode("utf-8")  # printable on a UTF-8 terminal, lone surrogates included


@given(st.text())
def test_json_lines_are_valid_json_without_raw_controls(text):
    line = json_line({"q": text})
    assert json.loads(line) == {"q": text}
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line)
    line.encode("utf-8")


def test_preview_is_short_and_one_line():
    shown = preview("Why\n" * 2_500_000)
    assert len(shown) <= 80 and "\n" not in shown and shown.endswith("…")
    assert preview("short") == "short"
