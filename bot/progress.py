"""A progress bar on stderr for long index runs (silent when stderr is not a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


def stderr_progress(desc: str = "indexing") -> Callable[[int, int], None]:
    state: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(
                total=total, unit="article", file=sys.stderr, disable=None, desc=desc, leave=False
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
