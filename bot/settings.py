"""Deployment settings from the environment (and an optional .env), all prefixed XIANFENG_."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["zh", "en"]
# What BotFather issues: the bot's numeric id, a colon, a secret of letters, digits, _ and -.
_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """One line naming the setting that is missing or malformed."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="XIANFENG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    database: Path = Path("xianfeng.sqlite3")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Shanghai"
    default_language: Language = "zh"
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_base_url: str = "https://api.telegram.org/file/bot"
    proxy_url: str | None = None
    log_level: LogLevel = "INFO"
    conversation_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    quiet_hours: str = "21:00-08:00"
    max_open_pledges: int = Field(default=3, ge=1, le=20)
    # Telegram allows about 30 messages a second overall; the margin absorbs the
    # one-off notices sent outside the outbox.
    send_rate: float = Field(default=25.0, gt=0, le=30)
    # Requests in flight at once: what a crash can repeat (see README, Performance).
    send_concurrency: int = Field(default=4, ge=1, le=16)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            if not all(part.isdigit() for part in parts if part):
                raise ValueError(
                    "must be Telegram user ids (numbers, which @userinfobot tells you),"
                    " separated by commas"
                )
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("proxy_url")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://", "socks5://", "socks5h://")):
            raise ValueError("must start with http://, https://, socks5:// or socks5h://")
        return value

    @field_validator("api_base_url", "api_file_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def quiet_window(self) -> tuple[time, time]:
        return parse_quiet_hours(self.quiet_hours)

    def token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError(
                "XIANFENG_BOT_TOKEN is not set: get a token from @BotFather and set it"
            )
        token = self.bot_token.get_secret_value().strip()
        if not _TOKEN.fullmatch(token):
            raise SettingsError(
                "XIANFENG_BOT_TOKEN is malformed: expected digits, a colon and the secret"
                " (e.g. 123456789:AAH...), as @BotFather shows it"
            )
        return token


def parse_quiet_hours(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-08:00") from exc
    return start, end


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value becomes one `SettingsError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"XIANFENG_{field.upper()} is invalid: {message}") from None
