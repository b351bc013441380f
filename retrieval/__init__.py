"""Wirecheck's engine: a synchronous library with no Discord in it.

Public surface (what bot/ may use): Engine, Settings, load_settings and the result dataclasses.
"""

from .corpus import ArticleFormatError, load_corpus
from .engine import Engine, NoPreviousIndex, QuestionError, ReloadFailed, ReloadInProgress
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
    "Answer",
    "Article",
    "ArticleFormatError",
    "Citation",
    "ClaimCheck",
    "CorpusStats",
    "EvidenceQuote",
    "Engine",
    "Flag",
    "IndexReport",
    "LoadError",
    "NoPreviousIndex",
    "QuestionError",
    "ReloadFailed",
    "ReloadInProgress",
    "Settings",
    "SourceHit",
    "load_corpus",
    "load_settings",
]
