"""Wirecheck's engine: a synchronous library with no Discord in it.

Public surface (what bot/ may use): Engine, Settings, load_settings and the result dataclasses.
"""

from .adding import AddedItem, AddFailure, AddReport, add_urls
from .corpus import ArticleFormatError, load_corpus
from .engine import Engine, NoPreviousIndex, QuestionError, ReloadFailed, ReloadInProgress
from .fetch import FetchError
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
