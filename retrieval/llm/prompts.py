"""The prompt files in ``prompts/``, loaded once and checked at start-up."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

# The project's prompts/ folder (beside retrieval/ in a checkout or an editable install).
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts"

# file -> the placeholders it must hold (and may hold: no others)
REQUIRED: dict[str, frozenset[str]] = {
    "answer.system.txt": frozenset(),
    "answer.user.txt": frozenset({"quotes", "question"}),
    "claim.system.txt": frozenset(),
    "claim.user.txt": frozenset({"quotes", "claim"}),
}


class PromptError(ValueError):
    """A prompt file is missing or its placeholders are wrong; the message names the file."""


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, str]

    def messages(self, kind: str, **values: str) -> list[dict[str, str]]:
        """The chat messages for ``kind`` ("answer" or "claim") with ``values`` filled in."""
        return [
            {"role": "system", "content": self.texts[f"{kind}.system.txt"].strip()},
            {"role": "user", "content": self.texts[f"{kind}.user.txt"].format(**values).strip()},
        ]


def load_prompts(folder: Path | None = None) -> Prompts:
    folder = folder or DEFAULT_DIR
    texts = {}
    for name, needed in REQUIRED.items():
        path = folder / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(
                f"prompt file {path} cannot be read ({exc.strerror or exc})"
            ) from None
        try:
            found = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise PromptError(
                f"prompt file {path}: {exc} (write literal braces as {{{{ }}}})"
            ) from None
        if missing := needed - found:
            raise PromptError(f"prompt file {path} lacks {', '.join(sorted(missing))}")
        if unknown := found - needed:
            raise PromptError(
                f"prompt file {path} has unknown placeholder(s) {', '.join(sorted(unknown))}"
            )
        texts[name] = text
    return Prompts(texts)
