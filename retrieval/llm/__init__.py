"""The LLM path: a model writes prose from the numbered evidence quotes, and nothing it writes
reaches a reader unchecked (retrieval/prose.py is the gate).

Two ways to reach a model, one protocol: an OpenAI-compatible HTTP endpoint (``remote.py``)
or a local GGUF file run in-process with xllamacpp (``local.py``, the ``[local]`` extra).
"""

from __future__ import annotations

from typing import Protocol

from ..settings import Settings


class LLMError(RuntimeError):
    """The model could not give a usable reply; the message says why (never a secret)."""


class LLM(Protocol):
    name: str

    def complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """The assistant's reply to ``messages``; raises LLMError."""
        ...


def load_llm(settings: Settings) -> LLM | None:
    """The configured model, or None (the extractive answer, exactly as without the LLM path)."""
    if settings.llm_model_path:
        from .local import LocalLLM

        return LocalLLM(settings.llm_model_path, settings.llm_timeout_seconds)
    if settings.llm_base_url:
        from .remote import RemoteLLM

        return RemoteLLM(
            settings.llm_base_url,
            settings.llm_model or "",
            settings.llm_api_key,
            settings.llm_timeout_seconds,
        )
    return None


def reply_text(body: object) -> str:
    """The assistant message of an OpenAI-style chat completion, or LLMError."""
    if not isinstance(body, dict):
        raise LLMError("the reply is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LLMError("the reply has no choices")
    message = choices[0].get("message") or {}
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise LLMError("the reply has no message text")
    if choices[0].get("finish_reason") == "length" and not content.strip():
        raise LLMError("the reply was cut off before any text")
    return content
