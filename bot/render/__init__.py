"""Rendering, pure functions with no I/O: Discord embeds for answers (``answer``), claim checks
(``check``) and the library views (``library``: /sources, /source, /corpus, /reload, /add), the
command line's text (``text``), and the escaping and fitting they share (``markdown``), all
within ``bot.limits``."""

from .answer import answer_embed, excerpt_messages
from .check import check_embed
from .library import (
    add_embed,
    article_embed,
    corpus_embed,
    error_text,
    reload_embed,
    reload_progress_text,
    sources_embed,
)

__all__ = [
    "add_embed",
    "answer_embed",
    "article_embed",
    "check_embed",
    "corpus_embed",
    "error_text",
    "excerpt_messages",
    "reload_embed",
    "reload_progress_text",
    "sources_embed",
]
