"""The import direction of docs/ARCHITECTURE.md, read from the source: bot → handlers →
schedules → storage; handlers/common imports no feature, and features none of each other
(the composition root collects what they register, reminder views included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW = {
    "storage": {"storage"},
    "schedules": {"schedules", "storage"},
    "handlers": {"handlers", "schedules", "storage"},
    "bot": {"bot", "handlers", "schedules", "storage"},
}
FEATURES = {path.stem for path in (ROOT / "handlers").iterdir() if path.stem[0] != "_"} - {"common"}


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(BELOW))
def test_a_layer_imports_only_itself_and_what_is_below_it(layer: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for name in imports(path)
        if name.split(".")[0] in BELOW and name.split(".")[0] not in BELOW[layer]
    ]
    assert wrong == []


def test_features_import_no_other_feature_and_common_imports_none() -> None:
    assert {"pledges", "visits", "partyday", "reminders"} <= FEATURES
    wrong = []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        parts = path.relative_to(ROOT / "handlers").parts
        owner = parts[0].removesuffix(".py")
        for name in imports(path):
            target = name.split(".")
            if target[0] != "handlers" or len(target) < 2 or target[1] not in FEATURES:
                continue
            if target[1] != owner:
                wrong.append(f"{path.relative_to(ROOT)}: {name}")
    assert wrong == []
