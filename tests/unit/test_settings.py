"""One settings object: defaults < wirecheck.toml < WIRECHECK_* env < explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Settings, load_settings


@pytest.fixture
def no_file(tmp_path) -> Path:
    return tmp_path / "absent.toml"


def test_defaults_apply_without_env_or_file(no_file):
    s = load_settings(env={}, config_file=no_file)
    assert s == Settings()
    assert s.max_citations >= 1 and s.max_quote_chars > 0


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"WIRECHECK_MAX_CITATIONS": "3"}, "max_citations", 3),
        ({"WIRECHECK_MAX_QUOTE_CHARS": "120"}, "max_quote_chars", 120),
        ({"WIRECHECK_CORPUS_DIR": "/data/news"}, "corpus_dir", Path("/data/news")),
        (
            {"WIRECHECK_FETCH_ALLOW_HOSTS": "a.example, b.example ,"},
            "fetch_allow_hosts",
            ("a.example", "b.example"),
        ),
        (
            {"WIRECHECK_CHROMA_HOST": "127.0.0.1", "WIRECHECK_CHROMA_PORT": "9000"},
            "chroma_port",
            9000,
        ),
        ({"DISCORD_TOKEN": "tok"}, "discord_token", "tok"),
    ],
)
def test_wirecheck_env_vars_set_typed_values(no_file, env, field, expected):
    assert getattr(load_settings(env=env, config_file=no_file), field) == expected


def test_env_without_prefix_or_unknown_name_is_ignored(no_file):
    s = load_settings(
        env={"MAX_CITATIONS": "1", "WIRECHECK_NOT_A_SETTING": "x"}, config_file=no_file
    )
    assert s == Settings()


def test_overrides_beat_env_and_none_overrides_are_ignored(no_file):
    env = {"WIRECHECK_MAX_CITATIONS": "3", "WIRECHECK_STORE_DIR": "/env/store"}
    s = load_settings(env=env, config_file=no_file, max_citations=2, store_dir=None)
    assert s.max_citations == 2
    assert s.store_dir == Path("/env/store")


def test_env_beats_config_file(tmp_path):
    cfg = tmp_path / "wirecheck.toml"
    cfg.write_text("max_citations = 4\nmax_quote_chars = 111\n", encoding="utf-8")
    s = load_settings(env={"WIRECHECK_MAX_CITATIONS": "3"}, config_file=cfg)
    assert (s.max_citations, s.max_quote_chars) == (3, 111)


def test_unknown_override_is_an_error(no_file):
    with pytest.raises(ValueError, match="max_citatoins"):
        load_settings(env={}, config_file=no_file, max_citatoins=3)


def test_unknown_key_in_config_file_is_an_error(tmp_path):
    cfg = tmp_path / "wirecheck.toml"
    cfg.write_text("max_citatoins = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="max_citatoins"):
        load_settings(env={}, config_file=cfg)


def test_non_numeric_env_value_is_an_error(no_file):
    with pytest.raises(ValueError):
        load_settings(env={"WIRECHECK_MAX_CITATIONS": "many"}, config_file=no_file)


def test_secrets_are_not_in_repr(no_file):
    s = load_settings(
        env={"DISCORD_TOKEN": "sekrit-token", "WIRECHECK_LLM_API_KEY": "sekrit-key"},
        config_file=no_file,
    )
    assert s.llm_api_key == "sekrit-key"
    assert "sekrit" not in repr(s)


def test_settings_are_immutable(no_file):
    s = load_settings(env={}, config_file=no_file)
    with pytest.raises(AttributeError):
        s.max_citations = 9  # type: ignore[misc]


def test_judge_setting_is_checked(tmp_path):
    from retrieval.settings import load_settings

    with pytest.raises(ValueError, match="judge must be"):
        load_settings(env={"WIRECHECK_JUDGE": "oracle"}, config_file=tmp_path / "none.toml")
    rules = load_settings(env={"WIRECHECK_JUDGE": "rules"}, config_file=tmp_path / "none.toml")
    assert rules.judge == "rules"
