"""Recent answers kept in memory, so a "Show excerpts" button can find its answer again."""

from __future__ import annotations

import secrets
from collections import OrderedDict

from retrieval import Answer

# ~1,000 answers of a few KB each: a few MB at most. Older buttons say the answer expired.
DEFAULT_SIZE = 1000


class AnswerCache:
    """A bounded LRU of answers under short random keys (a button's custom_id carries the key)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Answer] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, answer: Answer) -> str:
        key = secrets.token_hex(6)
        self._items[key] = answer
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Answer | None:
        answer = self._items.get(key)
        if answer is not None:
            self._items.move_to_end(key)
        return answer
