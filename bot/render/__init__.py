"""Rendering, pure functions with no I/O: Discord embeds for answers (``answer``), claim checks
(``check``) and the library views (``library``: /sources, /source, /corpus, /reload, /add), the
command line's text (``text``), and the escaping and fitting they share (``markdown``), all
within ``bot.limits``."""

# The Discord renderers import discord.py (~0.4 s); the command line needs only ``text``, so
# each name loads its module when first used.
_LAZY = {
    "answer_embed": ".answer",
    "excerpt_messages": ".answer",
    "check_embed": ".check",
    "add_embed": ".library",
    "article_embed": ".library",
    "corpus_embed": ".library",
    "error_text": ".library",
    "reload_embed": ".library",
    "reload_progress_text": ".library",
    "sources_embed": ".library",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bot.render' has no attribute {name!r}")


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
