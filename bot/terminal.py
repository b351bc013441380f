"""Text bound for a terminal: what the corpus or a user wrote must not drive the terminal.

Titles, bodies and file names can hold escape sequences (``ESC]0;…`` retitles the window,
``ESC[2J`` clears it) and bidirectional overrides that reorder what is shown. The CLI's text
output goes through ``terminal_safe``; JSON output escapes the same characters (``json_line``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F: U+009B is a CSI on some
# terminals), bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Whole escape sequences first (CSI, OSC, other ESC forms), so no fragment like "[2J" is left.
_SEQUENCE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ ... final
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # OSC: ESC ] ... BEL or ST
    "|\x1b[ -/]*[0-~]"  # other ESC sequences
    "|\x9b[0-?]*[ -/]*[@-~]"  # the one-byte CSI
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_C1 = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}
PREVIEW_CHARS = 80


def terminal_safe(text: str) -> str:
    """``text`` without control characters or direction overrides; lone surrogates shown
    as U+FFFD."""
    return _SURROGATE.sub("\ufffd", _UNSAFE.sub("", _SEQUENCE.sub("", text)))


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """A short, printable, one-line prefix of ``text``: refused input is never echoed whole."""
    head = terminal_safe(text[: limit * 4])
    flat = " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in head).split())
    if len(flat) <= limit and len(text) <= limit * 4:
        return flat
    return flat[: limit - 1].rstrip() + "…"


def json_line(value: Any) -> str:
    """One line of JSON; DEL, C1 controls and lone surrogates escaped, so it is safe to print."""
    text = json.dumps(value, ensure_ascii=False)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.translate(_C1)
