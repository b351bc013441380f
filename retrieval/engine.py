"""The engine: owns the index and the served corpus state; answers and looks up sources."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from .adding import AddReport, add_urls
from .answer import compose_answer, flag_premise
from .embedding import Embedder, load_embedder
from .indexer import (
    Progress,
    build_generation,
    collect_garbage,
    prepare_store,
    validate_generation,
)
from .opening import open_index
from .retrieve import retrieve_evidence
from .settings import Settings
from .state import CorpusState
from .text import content_terms, normalize
from .types import Answer, Article, ClaimCheck, CorpusStats, IndexReport, SourceHit
from .verify import check as check_claim
from .verify import premise_of

log = logging.getLogger(__name__)


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message says why."""


class ReloadInProgress(RuntimeError):
    """Another reload (or rollback) is running; only one runs at a time."""


class ReloadFailed(RuntimeError):
    """A reload stopped before switching; the index that served before still serves."""


class NoPreviousIndex(RuntimeError):
    """A rollback was asked for but no previous index state is kept."""


class Engine:
    """Create once (it loads the model and opens the store), then call from any thread.

    Questions are answered from one served snapshot (a ``CorpusState`` and the generation of
    vectors it names). A reload builds the next generation beside it, validates it and switches
    in one step; a question in flight finishes on the snapshot it started with.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or load_embedder(
            settings.embed_model_path, settings.embed_batch_size, settings.torch_threads
        )
        self._reload_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._state: CorpusState | None = None
        self._served_gen: int | None = None
        self._table, self._vectors = open_index(settings, self.embedder)

    def close(self) -> None:
        self._vectors.close()
        self._table.close()

    # -- index -------------------------------------------------------------------------------

    def reload(self, progress: Progress | None = None) -> IndexReport:
        """Bring the index in line with the corpus folder without stopping service.

        Raises ReloadInProgress when another reload runs, ReloadFailed when this one fails (the
        generation that served before keeps serving).
        """
        with self._exclusive("reload"):
            started = time.perf_counter()
            try:
                prepare_store(self._table, self._vectors, self.embedder)
                gen, plan = build_generation(
                    self.settings.corpus_dir, self._table, self._vectors, self.embedder, progress
                )
                if gen is None:
                    return plan.report(time.perf_counter() - started)
                validate_generation(self._table, self._vectors, gen)
                state = self._build_beside(gen)
            except Exception as exc:  # any failure: the served generation stays in place
                self._discard_unserved()
                raise ReloadFailed(_failure(exc)) from exc
            self._table.switch(gen)
            self._serve(gen, state)
            self._discard_unserved()
            report = plan.report(time.perf_counter() - started)
            log.info("reloaded: %s", report.summary())
            return report

    def rollback(self) -> IndexReport:
        """Serve the previous index state again; the one served until now becomes previous."""
        with self._exclusive("rollback"):
            started = time.perf_counter()
            previous = self._table.generation("previous")
            if previous is None:
                raise NoPreviousIndex("no previous index state is kept; nothing to roll back to")
            current = self._table.fingerprints(self._table.generation())
            state = self._build_beside(previous)
            self._table.swap()
            self._serve(previous, state)
            target = self._table.fingerprints(previous)
            return IndexReport(
                added=len(target.keys() - current.keys()),
                updated=sum(1 for k in target.keys() & current.keys() if target[k] != current[k]),
                removed=len(current.keys() - target.keys()),
                unchanged=sum(1 for k in target.keys() & current.keys() if target[k] == current[k]),
                seconds=time.perf_counter() - started,
            )

    @contextmanager
    def _exclusive(self, what: str) -> Iterator[None]:
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadInProgress(f"cannot {what}: a reload is already running; try again soon")
        try:
            yield
        finally:
            self._reload_lock.release()

    def _build_beside(self, gen: int) -> CorpusState | None:
        """The state for ``gen`` when one is being served (so the switch is instant); else
        it is built on first use."""
        served = self._state
        if served is None:
            return None
        return CorpusState.build(self._table.articles(gen, served.articles), previous=served)

    def _serve(self, gen: int, state: CorpusState | None) -> None:
        with self._state_lock:
            self._state, self._served_gen = state, gen if state is not None else None

    def _discard_unserved(self) -> None:
        try:
            collect_garbage(self._table, self._vectors)
        except Exception:  # noqa: BLE001 - leftovers are only disk space; the next reload retries
            log.warning("could not remove unused index entries; will retry", exc_info=True)

    @property
    def state(self) -> CorpusState:
        """The served snapshot, built from the current generation on first use."""
        state = self._state
        if state is None:
            with self._state_lock:
                if self._state is None:
                    gen = self._table.generation()
                    self._state = CorpusState.build(self._table.articles(gen))
                    self._served_gen = gen
                state = self._state
        return state

    def refresh(self) -> bool:
        """Follow a switch made by another process (a separate indexer in the scale-out setup);
        True when a new state is now served."""
        gen = self._table.generation()
        if self._state is None or gen == self._served_gen:
            return False
        with self._exclusive("refresh"):
            self._serve(gen, self._build_beside(gen))
        return True

    def stats(self) -> CorpusStats:
        state = self.state
        outlets = Counter(a.outlet for a in state.articles.values() if a.outlet)
        days = sorted(d for a in state.articles.values() if (d := (a.published or "")[:10]))
        meta = self._table.meta()
        return CorpusStats(
            articles=len(state.articles),
            outlets=tuple(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
            earliest=days[0] if days else None,
            latest=days[-1] if days else None,
            stories=len(state.story_members),
            last_reload=meta.get("switched_at") or None,
            can_rollback=bool(meta.get("previous")),
        )

    # -- questions ---------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        question = self._check_question(question)
        state = self.state
        evidence = retrieve_evidence(state, self._vectors, self.embedder, question)
        answer = compose_answer(
            question, state, evidence, self.settings.max_citations, self.settings.max_quote_chars
        )
        premise = premise_of(question)
        if premise:
            premise_evidence = retrieve_evidence(state, self._vectors, self.embedder, premise)
            verdict = check_claim(
                state, premise_evidence, premise, self.settings.max_quote_chars, self.embedder
            )
            answer = flag_premise(answer, premise, verdict)
        return answer

    def check(self, claim: str) -> ClaimCheck:
        """Verdict on a claim against the corpus, with the excerpts behind it."""
        claim = self._check_question(claim, "claim")
        state = self.state
        evidence = retrieve_evidence(state, self._vectors, self.embedder, claim)
        return check_claim(state, evidence, claim, self.settings.max_quote_chars, self.embedder)

    def _check_question(self, question: str, what: str = "question") -> str:
        question = " ".join((question or "").split())
        if not question:
            raise QuestionError(f"the {what} is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the {what} is {len(question)} characters long; the limit is "
                f"{self.settings.max_question_chars}"
            )
        return question

    # -- adding ------------------------------------------------------------------------------

    def add(
        self, urls: Sequence[str], feed: bool = False, progress: Progress | None = None
    ) -> AddReport:
        """Fetch articles (or each new item of feeds) into the corpus folder; ``reload`` serves
        them."""
        return add_urls(self.settings, urls, feed=feed, progress=progress)

    # -- sources -----------------------------------------------------------------------------

    def source(self, article_id: str) -> Article | None:
        return self.state.articles.get(article_id)

    def suggest(self, text: str, k: int = 25) -> list[tuple[str, str]]:
        """(id, title) of articles whose id or title matches ``text``, for autocomplete: ids
        and title words that start with it first, then titles that contain it; newest first."""
        articles = sorted(
            self.state.articles.values(), key=lambda a: a.published or "", reverse=True
        )
        needle = normalize(text).strip()
        if not needle:
            return [(a.id, a.title) for a in articles[:k]]
        ranked: list[tuple[int, int, Article]] = []
        for pos, a in enumerate(articles):
            title = normalize(a.title)
            if a.id.startswith(needle) or title.startswith(needle):
                rank = 0
            elif f" {needle}" in f" {title}" or needle in a.id:
                rank = 1
            elif needle in title:
                rank = 2
            else:
                continue
            ranked.append((rank, pos, a))
        ranked.sort(key=lambda r: r[:2])
        return [(a.id, a.title) for _, _, a in ranked[:k]]

    def sources(
        self,
        query: str = "",
        k: int = 10,
        outlet: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[SourceHit]:
        """Articles matching ``query`` (title and text), optionally by outlet and date range."""
        state = self.state
        articles = list(state.articles.values())
        keep = [a for a in articles if _matches(a, outlet, since, until)]
        if not query.strip():
            keep.sort(key=lambda a: a.published or "", reverse=True)
            return [SourceHit(a, 0.0, a.lead[:200]) for a in keep[:k]]
        weights = state.bm25.expand(list(dict.fromkeys(content_terms(query))))
        title_scores = state.titles_bm25.scores(weights)
        body_scores: dict[str, tuple[float, int]] = {}
        for i, s in state.bm25.top(weights, 400):
            aid = state.passages[i].article_id
            if s > body_scores.get(aid, (0.0, -1))[0]:
                body_scores[aid] = (s, i)
        allowed = {a.id for a in keep}
        hits = []
        for pos, a in enumerate(articles):
            if a.id not in allowed:
                continue
            score = 2.0 * float(title_scores[pos]) + body_scores.get(a.id, (0.0, -1))[0]
            if score > 0:
                pi = body_scores.get(a.id, (0.0, -1))[1]
                snippet = state.passage_text(pi)[:200] if pi >= 0 else a.lead[:200]
                hits.append(SourceHit(a, score, snippet))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]


def _failure(exc: Exception) -> str:
    what = str(exc) or type(exc).__name__
    return f"reload failed: {what}; the previous index is still serving"


def _matches(a: Article, outlet: str | None, since: date | None, until: date | None) -> bool:
    if outlet and normalize(outlet) not in normalize(a.outlet or ""):
        return False
    day = (a.published or "")[:10]
    if since and (not day or day < since.isoformat()[: len(day)]):
        return False
    return not (until and (not day or day > until.isoformat()[: len(day)]))
