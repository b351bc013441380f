"""Wirecheck's engine: a synchronous library with no Discord in it.

Public surface (what bot/ may use): Engine, Settings, load_settings and the result dataclasses.
"""

from .corpus import ArticleFormatError, load_corpus
from .engine import Engine, QuestionError
from .settings import Settings, load_settings
from .types import (
    Answer,
    Article,
    Citation,
    ClaimCheck,
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
    "EvidenceQuote",
    "Engine",
    "Flag",
    "IndexReport",
    "LoadError",
    "QuestionError",
    "Settings",
    "SourceHit",
    "load_corpus",
    "load_settings",
]
