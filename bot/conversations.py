"""Follow-up threads: what each thread has asked so far, bounded in turns and age, in memory.

A thread's questions (as they were answered, rewrites included) are what the next question is
read against (``retrieval.followup``). A conversation ends after ``max_turns`` questions or
``max_age`` seconds from its first one, and when Discord archives or deletes the thread; its
context is then dropped and a later question in the thread is answered on its own.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

# Threads followed at once, and bot answers remembered for replies; the oldest go first.
MAX_THREADS = 2000
MAX_MESSAGES = 5000


@dataclass
class Conversation:
    started: float
    questions: list[str] = field(default_factory=list)
    ended: bool = False  # past its bounds: later questions stand on their own


@dataclass(frozen=True)
class Turn:
    """The questions a follow-up is read against, and whether the context ended just now."""

    history: tuple[str, ...]
    ended_now: bool = False


class Conversations:
    def __init__(
        self,
        max_turns: int,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_turns = max_turns
        self.max_age = max_age
        self._clock = clock
        self._threads: OrderedDict[int, Conversation] = OrderedDict()
        self._answers: OrderedDict[int, str] = OrderedDict()

    def __contains__(self, thread_id: int) -> bool:
        return thread_id in self._threads

    def turn(self, thread_id: int, opening: str | None = None) -> Turn:
        """The context for the next question in ``thread_id``: its earlier questions, or
        ``opening`` (the question the thread was opened on) for a thread not followed yet."""
        now = self._clock()
        convo = self._threads.get(thread_id)
        if convo is None:
            convo = Conversation(started=now, questions=[opening] if opening else [])
            self._threads[thread_id] = convo
            while len(self._threads) > MAX_THREADS:
                self._threads.popitem(last=False)
        self._threads.move_to_end(thread_id)
        if convo.ended:
            return Turn(())
        if len(convo.questions) >= self.max_turns or now - convo.started > self.max_age:
            convo.ended, convo.questions = True, []
            return Turn((), ended_now=True)
        return Turn(tuple(convo.questions))

    def asked(self, thread_id: int, question: str) -> None:
        """Record the question as it was answered (nothing once the conversation ended)."""
        convo = self._threads.get(thread_id)
        if convo is not None and not convo.ended:
            convo.questions.append(question)

    def end(self, thread_id: int) -> None:
        self._threads.pop(thread_id, None)

    def answered(self, message_id: int, question: str) -> None:
        """A bot message holding the answer to ``question`` (so a reply to it can follow up)."""
        self._answers[message_id] = question
        self._answers.move_to_end(message_id)
        while len(self._answers) > MAX_MESSAGES:
            self._answers.popitem(last=False)

    def question_of(self, message_id: int) -> str | None:
        return self._answers.get(message_id)
