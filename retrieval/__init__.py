"""Wirecheck's engine: a synchronous library with no Discord in it.

Public surface (what bot/ may use): Engine, Settings, load_settings and the result dataclasses.
"""

from .corpus import ArticleFormatError, load_corpus
from .engine import Engine, NoPreviousIndex, QuestionError, ReloadFailed
from .followup import resolve_followup
from .opening import StoreUnavailable
from .settings import Settings, load_settings
from .types import (
    Answer,
    Article,
    Citation,
    ClaimCheck,
    CorpusStats,
    EvidenceQuote,
    Flag,
    IndexReport,
    LoadError,
    SourceHit,
    source_name,
)
from .writer import ReloadInProgress

# Adding articles needs trafilatura and the fetcher (~0.5 s to import): loaded when first used,
# so a question from a new process does not pay for them.
_LAZY = {
    "AddedItem": ".adding",
    "AddFailure": ".adding",
    "AddReport": ".adding",
    "add_urls": ".adding",
    "FetchError": ".fetch",
    # Feeds (retrieval/feeds.py): the registry is light, a round loads the adding modules.
    "Feed": ".feeds",
    "FeedError": ".feeds",
    "FeedExists": ".feeds",
    "FeedResult": ".feeds",
    "RegistryUnavailable": ".feeds",
    "RoundReport": ".feeds",
    "add_feed": ".feeds",
    "feeds_due": ".feeds",
    "list_feeds": ".feeds",
    "next_poll": ".feeds",
    "poll_round": ".feeds",
    "remove_feed": ".feeds",
    "FeedbackStore": ".feedback",
    "FeedbackUnavailable": ".feedback",
    "UnknownAnswer": ".feedback",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")


__all__ = [
    "AddFailure",
    "AddReport",
    "AddedItem",
    "Answer",
    "Article",
    "ArticleFormatError",
    "Citation",
    "ClaimCheck",
    "CorpusStats",
    "EvidenceQuote",
    "Engine",
    "Feed",
    "FeedError",
    "FeedExists",
    "FeedResult",
    "FeedbackStore",
    "FeedbackUnavailable",
    "FetchError",
    "Flag",
    "IndexReport",
    "LoadError",
    "NoPreviousIndex",
    "QuestionError",
    "ReloadFailed",
    "RegistryUnavailable",
    "ReloadInProgress",
    "RoundReport",
    "Settings",
    "SourceHit",
    "StoreUnavailable",
    "UnknownAnswer",
    "add_feed",
    "add_urls",
    "feeds_due",
    "list_feeds",
    "load_corpus",
    "load_settings",
    "resolve_followup",
    "next_poll",
    "poll_round",
    "remove_feed",
    "source_name",
]
