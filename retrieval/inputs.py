"""What a question or claim may hold before it reaches the pipeline.

Text from a command line, a batch file or a Discord message can hold anything: lone
surrogates (not text at all), NUL and other control characters, bidirectional overrides that
reorder what a reader sees, zero-width marks. Controls and format marks (categories Cc and Cf)
are removed: they carry no meaning for retrieval and can hide or disguise words. A lone
surrogate is refused, since no encoding can carry it.
"""

from __future__ import annotations

import re
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(ValueError):
    """Text that cannot be used as it is; the message says why (never quoting it whole)."""


def clean_text(text: str, what: str = "question") -> str:
    """``text`` with controls and invisible format marks removed and spaces collapsed."""
    if _SURROGATE.search(text):
        raise InputError(f"the {what} is not valid text (it holds a lone surrogate)")
    kept = (
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf")
    )
    return " ".join("".join(kept).split())
