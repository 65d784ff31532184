"""The message catalogs as data: every key in both languages, every key the code uses exists."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest

from handlers.common.i18n import LANGUAGES, catalog, load_texts

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "schedules", "storage")
# t("key"), context.t("key", ...), t.plain("key"): a literal key handed to a translator.
USED_KEY = re.compile(r"""\b(?:t|plain)\(\s*"([a-z]\w*(?:\.\w+)+)\"""")


def _import_everything() -> None:
    """Import every product module, so every catalog (data file or ``texts({...})``) is in."""
    for package in PRODUCT:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)


def test_every_catalog_file_gives_every_key_in_both_languages() -> None:
    # A package's texts.toml, or the catalog beside a module that is no package.
    files = sorted(
        {
            *(ROOT / "handlers").rglob("texts.toml"),
            *(ROOT / "handlers").glob("*.toml"),
            *(ROOT / "bot").glob("*.toml"),
        }
    )
    assert {"onboarding.toml", "backups.toml"} <= {path.name for path in files}
    assert files, "no catalog files found"
    for path in files:
        with path.open("rb") as file:
            tables = tomllib.load(file)
        for key, table in tables.items():
            assert set(table) == set(LANGUAGES), f"{path.name}: {key}"
            assert all(isinstance(text, str) and text.strip() for text in table.values()), key


def test_every_key_the_code_uses_exists() -> None:
    _import_everything()
    known = catalog()
    used = {
        (str(path.relative_to(ROOT)), key)
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        for key in USED_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 500  # the scan sees the code, not nothing
    assert sorted((path, key) for path, key in used if key not in known) == []


def test_a_catalog_file_missing_a_language_is_refused(tmp_path: Path) -> None:
    (tmp_path / "texts.toml").write_text('["demo.hello"]\nzh = "你好"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"demo\.hello needs exactly zh and en"):
        load_texts(str(tmp_path / "texts.py"))
