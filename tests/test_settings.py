"""Settings: defaults, parsing, and one clear line (exit 2) for anything missing or malformed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.logs import RedactingFormatter, RedactToken
from bot.settings import SettingsError, load_settings

TOKEN = "123456:AAH-secret-part_xyz-0123456789"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("XIANFENG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database == Path("xianfeng.sqlite3")
    assert settings.zone == ZoneInfo("Asia/Shanghai")
    assert settings.default_language == "zh"
    assert settings.admin_ids == frozenset()
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.api_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.proxy_url is None


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIANFENG_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("XIANFENG_ADMIN_IDS", " 11, 22 ,33")
    monkeypatch.setenv("XIANFENG_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("XIANFENG_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("XIANFENG_PROXY_URL", "socks5://127.0.0.1:1080")
    monkeypatch.setenv("XIANFENG_LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.token() == TOKEN
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.zone == ZoneInfo("Asia/Urumqi")
    assert settings.default_language == "en"
    assert settings.proxy_url == "socks5://127.0.0.1:1080"
    assert settings.log_level == "DEBUG"


def test_values_from_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("XIANFENG_ADMIN_IDS=7\nXIANFENG_DATABASE=/tmp/x.db\n")
    settings = load_settings()
    assert settings.admin_ids == frozenset({7})
    assert settings.database == Path("/tmp/x.db")


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("XIANFENG_ADMIN_IDS", "12,abc", "XIANFENG_ADMIN_IDS"),
        ("XIANFENG_TIMEZONE", "Mars/Olympus", "XIANFENG_TIMEZONE"),
        ("XIANFENG_DEFAULT_LANGUAGE", "fr", "XIANFENG_DEFAULT_LANGUAGE"),
        ("XIANFENG_LOG_LEVEL", "LOUD", "XIANFENG_LOG_LEVEL"),
        ("XIANFENG_PROXY_URL", "ftp://proxy", "XIANFENG_PROXY_URL"),
        ("XIANFENG_QUIET_HOURS", "9pm-8am", "XIANFENG_QUIET_HOURS"),
        ("XIANFENG_API_BASE_URL", "127.0.0.1:8081/bot", "XIANFENG_API_BASE_URL"),
        ("XIANFENG_CONVERSATION_TIMEOUT_MINUTES", "0", "XIANFENG_CONVERSATION_TIMEOUT_MINUTES"),
    ],
)
def test_malformed_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert named in str(info.value)
    assert "\n" not in str(info.value)


def test_token_required_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="XIANFENG_BOT_TOKEN is not set"):
        load_settings().token()
    for bad in ("no-colon", "123456:short", "abc:AAHxxxxxxxxxxxxxxxxxxxxxxxxxxx", "12:AAH x y"):
        monkeypatch.setenv("XIANFENG_BOT_TOKEN", bad)
        with pytest.raises(SettingsError, match="XIANFENG_BOT_TOKEN is malformed"):
            load_settings().token()


def test_token_is_not_shown_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIANFENG_BOT_TOKEN", TOKEN)
    assert "secret-part" not in repr(load_settings())


def test_logs_never_print_the_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(RedactToken(TOKEN))
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe failed", TOKEN)
        logger.warning("secret alone: %s", TOKEN.split(":")[1])
        logger.warning("short secrets are not redacted letter by letter: x")
    finally:
        logger.removeHandler(handler)
    assert records == [
        "POST https://api.telegram.org/bot<token>/getMe failed",
        "secret alone: <token>",
        "short secrets are not redacted letter by letter: x",
    ]
    short = RedactToken("1:x")
    record = logging.LogRecord("t", logging.INFO, "", 0, "x marks 1:x", None, None)
    short.filter(record)
    assert record.getMessage() == "x marks <token>"


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "xianfeng: XIANFENG_BOT_TOKEN is not set: get a token from @BotFather and set it"
    ]
    assert "Traceback" not in result.stderr


def test_cli_malformed_setting_exits_2_without_traceback(tmp_path: Path) -> None:
    result = _cli("migrate", env={"XIANFENG_TIMEZONE": "Nowhere/City"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "XIANFENG_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_tracebacks_are_redacted_too() -> None:
    formatter = RedactingFormatter("%(message)s", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord(
            "t", logging.ERROR, "", 0, "polling failed", None, sys.exc_info()
        )
    text = formatter.format(record)
    assert "was rejected" in text and "<token>" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


def test_send_rate_and_concurrency_reach_the_dispatcher(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import config_from_settings

    monkeypatch.setenv("XIANFENG_SEND_RATE", "12.5")
    monkeypatch.setenv("XIANFENG_SEND_CONCURRENCY", "1")
    config = config_from_settings(load_settings())
    assert (config.send_rate, config.send_concurrency) == (12.5, 1)
    monkeypatch.setenv("XIANFENG_SEND_RATE", "45")
    with pytest.raises(SettingsError, match="XIANFENG_SEND_RATE"):
        load_settings()
