"""Deployment settings from the environment (and an optional .env), all prefixed XIANFENG_."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.link_rules import parse_rhythms
from storage.meetings import parse_frequencies

Language = Literal["zh", "en"]
# What BotFather issues: the bot's numeric id, a colon, a secret of letters, digits, _ and -.
_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# What Telegram accepts as a webhook's secret token; 16 characters at least, so it is
# not guessable.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
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
    # A self-hosted Bot API server (telegram-bot-api --local) hands out files as paths on
    # its own disk and takes uploads of any size; the bot must know it talks to one.
    api_local_mode: bool = False
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    backup_dir: Path | None = None
    backup_at: time = time(2, 30)
    backup_keep_days: int = Field(default=30, ge=1, le=3650)
    conversation_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    quiet_hours: str = "21:00-08:00"
    # Reminders are not sent on public holidays but on the next working day (调休 known).
    hold_on_holidays: bool = True
    max_open_pledges: int = Field(default=3, ge=1, le=20)
    # Telegram allows about 30 messages a second overall; the margin absorbs the
    # one-off notices sent outside the outbox.
    send_rate: float = Field(default=25.0, gt=0, le=30)
    # Requests in flight at once: what a crash can repeat (see README, Performance).
    send_concurrency: int = Field(default=4, ge=1, le=16)
    # How often each 三会一课 meeting is required, e.g. "committee=monthly,general=quarterly";
    # kinds not named keep their defaults (storage.meetings.MeetingFrequencies).
    meeting_frequency: str = ""
    # Years a home visit is kept in full after its school year ends (inspections ask
    # for five); then its student alias, note and photo are erased.
    visit_retention_years: int = Field(default=5, ge=1, le=30)
    # How often each family of links must be contacted, e.g. "three=monthly,serve=term";
    # families not named keep their defaults (storage.link_rules.LinkRhythms).
    link_rhythm: str = ""
    # Members see their branch's points ranking in /points (secretaries always do).
    members_see_ranking: bool = False
    # Working days a star rating's result stays in public notice (公示) for objections.
    rating_notice_days: int = Field(default=5, ge=1, le=30)

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

    @field_validator("webhook_url", "health_port", "backup_dir", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `XIANFENG_WEBHOOK_URL=` in an env file means "not set", not "set to nothing".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must start with https:// (Telegram only calls HTTPS webhooks)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be 16-256 letters, digits, _ or - (e.g. the output of openssl rand -hex 32)"
            )
        return value

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

    @field_validator("quiet_hours", "meeting_frequency", "link_rhythm")
    @classmethod
    def _readable(cls, value: str, info: ValidationInfo) -> str:
        """Kept as typed, once its reader (``_READ_BY``, which the bot uses later) takes it."""
        assert info.field_name is not None
        _READ_BY[info.field_name](value)
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

    def webhook(self) -> Webhook | None:
        """The webhook to serve, or None for long polling; a URL without a secret is an
        error, because anyone who finds the URL could then post fake updates."""
        if self.webhook_url is None:
            return None
        if self.webhook_secret is None:
            raise SettingsError(
                "XIANFENG_WEBHOOK_SECRET is not set: XIANFENG_WEBHOOK_URL needs it; make one"
                " with `openssl rand -hex 32` and put it in the .env file"
            )
        return Webhook(
            url=self.webhook_url,
            listen=self.webhook_listen,
            port=self.webhook_port,
            secret=self.webhook_secret.get_secret_value(),
        )


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates (``url``) and where the bot listens for them behind
    the reverse proxy (``listen``:``port``, the URL's own path)."""

    url: str
    listen: str
    port: int
    secret: str = field(repr=False)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def parse_quiet_hours(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-08:00") from exc
    return start, end


# The settings kept as text that a reader checks when they are loaded.
_READ_BY: dict[str, Callable[[str], object]] = {
    "quiet_hours": parse_quiet_hours,
    "meeting_frequency": parse_frequencies,
    "link_rhythm": parse_rhythms,
}


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value becomes one `SettingsError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"XIANFENG_{field.upper()} is invalid: {message}") from None
