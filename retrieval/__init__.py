"""Wirecheck's engine: a synchronous library with no Discord in it.

Public surface (what bot/ may use): Engine, Settings, load_settings and the result dataclasses.
"""

from .corpus import ArticleFormatError, load_corpus
from .engine import Engine, NoPreviousIndex, QuestionError, ReloadFailed
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
    "FetchError",
    "Flag",
    "IndexReport",
    "LoadError",
    "NoPreviousIndex",
    "QuestionError",
    "ReloadFailed",
    "ReloadInProgress",
    "Settings",
    "SourceHit",
    "StoreUnavailable",
    "add_urls",
    "load_corpus",
    "load_settings",
]
