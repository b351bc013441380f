"""The engine: owns the index and the served corpus state; answers and looks up sources."""

from __future__ import annotations

import logging
import threading
from datetime import date

from .answer import compose_answer, flag_premise
from .embedding import Embedder, load_embedder
from .indexer import Progress, sync_index
from .retrieve import retrieve_evidence
from .settings import Settings
from .state import CorpusState
from .store import ArticleTable, VectorIndex, open_chroma
from .text import content_terms, normalize
from .types import Answer, Article, ClaimCheck, IndexReport, SourceHit
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
    """Create once (it loads the model and opens the store), then call from any thread."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or load_embedder(
            settings.embed_model_path, settings.embed_batch_size, settings.torch_threads
        )
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        self._table = ArticleTable(settings.store_dir / "articles.sqlite")
        self._client = open_chroma(settings.store_dir, settings.chroma_host, settings.chroma_port)
        self._vectors = VectorIndex(self._client, settings.collection_prefix)
        self._index_lock = threading.Lock()
        self._state: CorpusState | None = None

    def close(self) -> None:
        self._table.close()

    # -- index -------------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None) -> IndexReport:
        """Incrementally index the corpus folder; the next question serves what is indexed."""
        with self._index_lock:
            report = sync_index(
                self.settings.corpus_dir, self._table, self._vectors, self.embedder, progress
            )
            if report.changed:
                self._state = None
        return report

    @property
    def state(self) -> CorpusState:
        """The served snapshot, built from the article table on first use after a change."""
        state = self._state
        if state is None:
            with self._index_lock:
                if self._state is None:
                    self._state = CorpusState.build(self._table.articles())
                state = self._state
        return state

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

    # -- sources -----------------------------------------------------------------------------

    def source(self, article_id: str) -> Article | None:
        return self.state.articles.get(article_id)

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


def _matches(a: Article, outlet: str | None, since: date | None, until: date | None) -> bool:
    if outlet and normalize(outlet) not in normalize(a.outlet or ""):
        return False
    day = (a.published or "")[:10]
    if since and (not day or day < since.isoformat()[: len(day)]):
        return False
    return not (until and (not day or day > until.isoformat()[: len(day)]))
