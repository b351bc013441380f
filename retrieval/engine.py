"""The engine: owns the index and the served corpus state; answers and looks up sources."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from .embedding import Embedder, load_embedder
from .indexer import (
    Progress,
    build_generation,
    collect_garbage,
    prepare_store,
    validate_generation,
)
from .inputs import InputError, clean_text
from .judge import Judge, load_judge
from .llm import load_llm
from .opening import TABLE_FILE, io_trouble, open_index
from .pipeline import build_pipeline
from .replica import SERIAL_KEY, Replica, ReplicaError
from .search import search_sources, suggest
from .served import Prefetch, Served
from .settings import Settings
from .state import CorpusState
from .store import StoreUnavailable
from .types import Answer, Article, ClaimCheck, CorpusStats, IndexReport, SourceHit
from .vectors import open_chroma
from .writer import ServerLease, WriterLock, refusal

if TYPE_CHECKING:
    from .adding import AddReport

log = logging.getLogger(__name__)


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message says why."""


class ReloadFailed(RuntimeError):
    """A reload stopped before switching; the index that served before still serves.

    ``stage`` says where it stopped ("preparing the store", "embedding", "validating", "building
    the served state"), ``cause`` what stopped it; callers word them for their readers.
    """

    def __init__(self, stage: str, cause: str):
        self.stage = stage
        self.cause = cause
        super().__init__(
            f"reload failed while {stage}: {cause}; the previous index is still serving"
        )


class NoPreviousIndex(RuntimeError):
    """A rollback was asked for but no previous index state is kept."""


class Engine:
    """Create once (it loads the model and opens the store), then call from any thread; close
    it (or use it as a context manager) to release the store.

    Questions go through ``pipeline`` (retrieval/pipeline.py) on one served snapshot (a
    ``CorpusState`` and the generation of vectors it names, owned by ``Served``). A reload builds
    the next generation beside it, validates it and switches in one step; a question in flight
    finishes on the snapshot it started with.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        judge: Judge | None = None,
        prefetch: bool = False,
    ):
        """``prefetch``: start building the served state at once, beside opening the store (for
        a process about to answer; an indexer does not need it)."""
        self.settings = settings
        # On a server the manifest may be replaced on open (adopted): nothing to build ahead.
        early = (
            Prefetch(settings.store_dir / TABLE_FILE)
            if prefetch and not settings.chroma_host
            else None
        )
        self.embedder = embedder or load_embedder(
            settings.embed_model_path,
            settings.embed_batch_size,
            settings.torch_threads,
            settings.store_dir / "models",
        )
        self.judge = judge or load_judge(
            settings.judge,
            settings.judge_path,
            settings.store_dir / "models",
            settings.torch_threads,
        )
        self._reload_lock = threading.Lock()
        lease = self._replica = None
        if settings.chroma_host:
            client = open_chroma(settings.store_dir, settings.chroma_host, settings.chroma_port)
            lease = ServerLease(client, settings.collection_prefix)
            self._replica = Replica(client, settings.collection_prefix)
        self._writer = WriterLock(settings.store_dir, lease)
        self._table, self._vectors = open_index(settings, self.embedder, self._writer)
        # On a server, serve what the last writer published, from any machine (replica.py).
        self._adopt_published()
        # What the store looked like when this process last read or wrote it (writer.py).
        self._seen = self._store_mark()
        self._served = Served(self._table, early)
        self.llm = load_llm(settings)
        self.pipeline = build_pipeline(settings, self._vectors, self.embedder, self.judge, self.llm)

    def close(self) -> None:
        self._served.release()
        self._vectors.close()
        self._table.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- index -------------------------------------------------------------------------------

    def reload(self, progress: Progress | None = None, wait: float | None = None) -> IndexReport:
        """Bring the index in line with the corpus folder without stopping service.

        Raises ReloadInProgress when another reload (in this process or another) still runs
        after ``wait`` seconds (default: the ``writer_wait_seconds`` setting), ReloadFailed
        when this one fails (the generation that served before keeps serving).
        """
        with self._exclusive("a reload", wait):
            started = time.perf_counter()
            stage = "preparing the store"
            try:
                prepare_store(self._table, self._vectors, self.embedder)
                stage = "embedding"
                gen, plan = build_generation(
                    self.settings.corpus_dir,
                    self._table,
                    self._vectors,
                    self.embedder,
                    progress,
                    self.settings.corpus_follow_links,
                )
                if gen is None:
                    self._publish(only_if_behind=True)
                    return plan.report(time.perf_counter() - started)
                stage = "validating"
                validate_generation(self._table, self._vectors, gen)
                stage = "building the served state"
                state = self._served.beside(gen)
            except Exception as exc:  # any failure: the served generation stays in place
                if io_trouble(exc) is None:
                    self._discard_unserved()
                else:
                    # Out of space (or rights): Chroma's deletes can stall on a full disk. The
                    # half-written versions stay marked unready; the next reload removes them.
                    log.warning("leaving the failed reload's leftovers for the next reload")
                raise ReloadFailed(stage, str(exc) or type(exc).__name__) from exc
            self._table.switch(gen)
            self._served.swap(gen, state)
            self._discard_unserved()
            self._publish()
            report = plan.report(time.perf_counter() - started)
            log.info("reloaded: %s", report.summary())
            return report

    def rollback(self) -> IndexReport:
        """Serve the previous index state again; the one served until now becomes previous."""
        with self._exclusive("a rollback"):
            started = time.perf_counter()
            previous = self._table.generation("previous")
            if previous is None:
                raise NoPreviousIndex("no previous index state is kept; nothing to roll back to")
            current = self._table.fingerprints(self._table.generation())
            state = self._served.beside(previous)
            self._table.swap()
            self._served.swap(previous, state)
            self._publish()
            target = self._table.fingerprints(previous)
            return IndexReport(
                added=len(target.keys() - current.keys()),
                updated=sum(1 for k in target.keys() & current.keys() if target[k] != current[k]),
                removed=len(current.keys() - target.keys()),
                unchanged=sum(1 for k in target.keys() & current.keys() if target[k] == current[k]),
                seconds=time.perf_counter() - started,
            )

    @contextmanager
    def _exclusive(
        self, what: str, wait: float | None = None, write: bool = True
    ) -> Iterator[None]:
        """One reload at a time in this process; with ``write``, the store's writer lock too
        (one writer across processes), and a view of the vectors that includes what other
        processes wrote."""
        if not self._reload_lock.acquire(blocking=False):
            raise refusal(what, f"pid {os.getpid()}, this process")
        try:
            if not write:
                self._follow_other_writers()
                yield
                return
            wait = self.settings.writer_wait_seconds if wait is None else wait
            with self._writer.hold(what.removeprefix("a "), wait):
                # Build on what the last writer (on any machine) published.
                self._adopt_published()
                self._follow_other_writers()
                try:
                    yield
                finally:
                    self._seen = self._store_mark()
        finally:
            self._reload_lock.release()

    def _store_mark(self) -> tuple[object, ...]:
        """Moves whenever any process writes the store: every writer records the versions it
        embeds in the table before and after writing their vectors (and deletes them with
        their vectors), so the table's version counts stand for the vectors' (counting the
        collections themselves costs ~0.1 s each on a big store)."""
        return (*self._table.mark(), *self._table.version_counts())

    def _follow_other_writers(self) -> None:
        mark = self._store_mark()
        if mark != self._seen:
            if self._vectors.reopen():
                log.info("the store was written by another process: reopened the vector index")
            else:
                self._vectors.refresh_collections()
            mark = self._store_mark()
        self._seen = mark

    def _adopt_published(self) -> bool:
        """Take the manifest published on the server when it is newer than ours."""
        if self._replica is None:
            return False
        pointer = self._replica.pointer()
        if not pointer or int(pointer["serial"]) <= self._table.serial():
            return False
        try:
            self._table.adopt(self._replica.download(pointer), int(pointer["serial"]))
        except ReplicaError as exc:
            log.warning("%s; keeping the manifest held here", exc)
            return False
        log.info("now holding index manifest %s published on the server", pointer["serial"])
        return True

    def _publish(self, only_if_behind: bool = False) -> None:
        """Publish our manifest after a switch (or, ``only_if_behind``, when the server holds
        none or an older one). A failure is logged: our switch stands, other machines keep
        serving the manifest before it until the next reload publishes."""
        if self._replica is None:
            return
        try:
            published = self._replica.serial()
            ours = self._table.serial()
            if self._table.generation() is None:
                return  # nothing served: nothing to publish
            if only_if_behind and published >= ours and published:
                return
            serial = max(published, ours) + 1
            self._replica.publish(self._table.path, serial)
            self._table.set_meta({SERIAL_KEY: str(serial)})
        except Exception as exc:  # noqa: BLE001 - the server's client raises many kinds
            log.warning("could not publish the index manifest to the server: %s", exc)

    def _discard_unserved(self) -> None:
        try:
            collect_garbage(self._table, self._vectors)
        except Exception:  # noqa: BLE001 - leftovers are only disk space; the next reload retries
            log.warning("could not remove unused index entries; will retry", exc_info=True)

    @property
    def state(self) -> CorpusState:
        """The served snapshot, built from the current generation on first use."""
        return self._served.current()

    def prepare_prose(self) -> None:
        """Load a local model now (the bot does at start-up) rather than on the first question;
        a failure is logged: the answers stay extractive until the model loads."""
        load = getattr(self.llm, "load", None)
        if load is None:
            return
        try:
            load()
        except Exception as exc:  # noqa: BLE001 - an LLMError, or llama.cpp's own
            log.error("the local model could not be loaded (%s); answers stay extractive", exc)

    @property
    def writes_prose(self) -> bool:
        """True when answers are written by an LLM (slower: the bot says it is writing)."""
        return self.llm is not None

    @property
    def serving(self) -> bool:
        """True once the served state is built (the bot builds it at start-up)."""
        return self._served.built

    def refresh(self) -> bool:
        """Follow a switch made by another process (a separate indexer in the scale-out setup);
        True when a new state is now served."""
        if self._replica is not None:
            with self._exclusive("a refresh", write=False):
                self._adopt_published()
        gen = self._table.generation()
        if not self._served.built or gen == self._served.generation:
            return False
        with self._exclusive("a refresh", write=False):
            self._served.swap(gen, self._served.beside(gen))
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
        with self._server_errors():
            return self.pipeline.ask(self.state, question)

    def check(self, claim: str) -> ClaimCheck:
        """Verdict on a claim against the corpus, with the excerpts behind it."""
        claim = self._check_question(claim, "claim")
        with self._server_errors():
            return self.pipeline.check(self.state, claim)

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        """A Chroma server that stops answering (restarting, gone) is one clear error; the
        next question, once it answers again, is served as before."""
        try:
            yield
        except Exception as exc:
            if not self.settings.chroma_host or not _unreachable(exc):
                raise
            where = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            raise StoreUnavailable(
                f"the Chroma server at {where} is not answering ({type(exc).__name__}); "
                "try again when it is back"
            ) from exc

    def _check_question(self, question: str, what: str = "question") -> str:
        limit = self.settings.max_question_chars
        raw = question or ""
        # Far past the limit: refused before any work is spent on the text.
        if len(raw) > 4 * limit + 1000:
            raise QuestionError(f"the {what} is {len(raw)} characters long; the limit is {limit}")
        try:
            question = clean_text(raw, what)
        except InputError as exc:
            raise QuestionError(str(exc)) from None
        if not question:
            raise QuestionError(f"the {what} is empty")
        if len(question) > limit:
            raise QuestionError(
                f"the {what} is {len(question)} characters long; the limit is {limit}"
            )
        return question

    # -- adding ------------------------------------------------------------------------------

    def add(
        self, urls: Sequence[str], feed: bool = False, progress: Progress | None = None
    ) -> AddReport:
        """Fetch articles (or each new item of feeds) into the corpus folder; ``reload`` serves
        them."""
        from .adding import add_urls  # trafilatura and the fetcher: only for adding

        return add_urls(self.settings, urls, feed=feed, progress=progress)

    # -- sources -----------------------------------------------------------------------------

    def source(self, article_id: str) -> Article | None:
        return self.state.articles.get(article_id)

    def suggest(self, text: str, k: int = 25) -> list[tuple[str, str]]:
        """(id, title) of articles whose id or title matches ``text``, for autocomplete."""
        return suggest(self.state, text, k)

    def sources(
        self,
        query: str = "",
        k: int = 10,
        outlet: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[SourceHit]:
        """Articles matching ``query`` (title and text), optionally by outlet and date range."""
        return search_sources(self.state, query, k, outlet, since, until)


def _unreachable(exc: BaseException) -> bool:
    """A failure to reach the Chroma server (connection refused or reset, a timeout), as
    httpx, the standard library or Chroma's client word it."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        module = type(exc).__module__
        if isinstance(exc, ConnectionError | TimeoutError) or module.startswith(
            ("httpx", "httpcore")
        ):
            return True
        if "connect" in str(exc).lower() and module.startswith("chromadb"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
