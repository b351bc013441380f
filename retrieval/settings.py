"""One settings object, read once by each entry point and passed down.

Values come from (lowest to highest precedence): defaults, an optional ``wirecheck.toml`` in the
working directory, ``WIRECHECK_*`` environment variables, then explicit overrides (CLI flags).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "WIRECHECK_"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    store_dir: Path = Path(".wirecheck")
    # Scale-out: when set, the index lives on a Chroma server instead of the embedded store.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "wirecheck"
    embed_model_path: Path | None = None
    embed_batch_size: int = 32
    torch_threads: int = 0
    # "rules": the rule signals decide (the default: better on held-out dev sets, README "The
    # judge"); "learned": the trained judge also reranks, decides answerability and vetoes.
    judge: str = "rules"
    judge_path: Path | None = None  # a folder with judge.safetensors + judge.json; else packaged
    max_citations: int = 5
    max_quote_chars: int = 300
    max_question_chars: int = 2000
    # One writer per store: a second reload waits this long for the first, then is refused.
    writer_wait_seconds: float = 30.0
    # Symbolic links under the corpus folder that lead outside it are skipped unless allowed.
    corpus_follow_links: bool = False
    # Fetching (wirecheck add): private and loopback hosts are refused unless listed here.
    fetch_allow_hosts: tuple[str, ...] = ()
    fetch_timeout_seconds: float = 20.0
    fetch_max_bytes: int = 5_000_000
    fetch_max_redirects: int = 5
    # Feeds (README "Feeds")
    feed_interval_minutes: float = 30.0  # between polls of one feed (longer after failures)
    feed_max_new_per_round: int = 50  # articles fetched per round; the rest wait for the next
    feed_channel_id: str | None = None  # a Discord channel for round summaries
    # Discord bot
    moderator_roles: tuple[str, ...] = ()  # role names or ids allowed moderator commands
    guild_ids: tuple[str, ...] = ()  # sync commands to these guilds only (instant); else global
    ask_cooldown_seconds: float = 10.0  # per user, between questions
    max_concurrent_questions: int = 4  # engine calls running at once
    max_waiting_questions: int = 32  # more wait their turn; past that, "busy"
    question_timeout_seconds: float = 60.0
    # Follow-up threads (README "Follow-ups"): a conversation's context lasts this many
    # questions or hours from its first; then questions in the thread stand on their own.
    thread_max_turns: int = 12
    thread_max_hours: float = 24.0
    # With Discord's message-content intent (enable it in the developer portal first), every
    # message in the bot's threads is a follow-up, not only those that mention the bot.
    thread_read_messages: bool = False
    # discord.py's AutoShardedBot (shards as Discord recommends) for bots in many servers.
    discord_sharded: bool = False
    # LLM prose (README "Prose answers"): an OpenAI-compatible endpoint, or a local GGUF file.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_model_path: Path | None = None
    llm_timeout_seconds: float = 30.0
    llm_max_tokens: int = 160  # 4 short sentences fit; small models ramble to the limit
    llm_prompts_dir: Path | None = None  # default: the project's prompts/ folder
    llm_claim_judge: bool = False  # `check` also asks the model (it may only soften a verdict)
    discord_token: str | None = field(default=None, repr=False)
    llm_api_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.judge not in ("learned", "rules"):
            raise ValueError(f"judge must be 'learned' or 'rules', not {self.judge!r}")
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ValueError(f"llm_base_url must be an http(s) URL, not {self.llm_base_url!r}")
        if self.thread_max_turns < 1 or self.thread_max_hours <= 0:
            raise ValueError("thread_max_turns and thread_max_hours must be positive")
        if self.llm_timeout_seconds <= 0:
            raise ValueError("llm_timeout_seconds must be positive")
        from .netguard import allow_list  # light; checks each entry's form

        allow_list(self.fetch_allow_hosts)

    def with_overrides(self, **overrides: Any) -> Settings:
        clean = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(self, **_coerce(clean))


def _coerce(raw: Mapping[str, Any]) -> dict[str, Any]:
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in types:
            raise ValueError(f"unknown setting {key!r}")
        kind = str(types[key])
        if value is None:
            out[key] = None
        elif "Path" in kind:
            out[key] = Path(value).expanduser()
        elif kind.startswith("bool"):
            out[key] = _boolean(key, value)
        elif kind.startswith("int"):
            out[key] = int(value)
        elif kind.startswith("float"):
            out[key] = float(value)
        elif "tuple" in kind:
            items = value.split(",") if isinstance(value, str) else list(value)
            out[key] = tuple(s.strip() for s in items if s.strip())
        else:
            out[key] = value
    return out


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{key} must be true or false, not {value!r}")


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings from file, environment and overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    config_file = config_file or Path("wirecheck.toml")
    if config_file.is_file():
        with config_file.open("rb") as fh:
            values.update(tomllib.load(fh))
    names = {f.name for f in dataclasses.fields(Settings)}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :].lower()
            if name in names:
                values[name] = value
    # Secrets keep their conventional names too.
    if env.get("DISCORD_TOKEN"):
        values["discord_token"] = env["DISCORD_TOKEN"]
    settings = Settings(**_coerce(values))
    return settings.with_overrides(**overrides)
