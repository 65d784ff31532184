"""deploy/: what can be checked without a server or a Docker daemon.

The unit passes `systemd-analyze verify` (where systemd is installed); the Dockerfile
installs every package pyproject.toml ships; the environment file example names only
real settings and holds no real secret.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "xianfeng.service").read_text()
    # verify also checks that ExecStart exists; the program is not under /opt here.
    local = tmp_path / "xianfeng.service"
    local.write_text(unit.replace("/opt/xianfeng/.venv/bin/xianfeng", shutil.which("true") or ""))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "xianfeng.service" not in result.stderr, result.stderr


def test_the_systemd_unit_is_sandboxed() -> None:
    unit = _directives((DEPLOY / "xianfeng.service").read_text())
    assert unit["User"] == "xianfeng"
    assert unit["NoNewPrivileges"] == "yes"
    assert unit["ProtectSystem"] == "strict"
    assert unit["ReadWritePaths"] == unit["WorkingDirectory"] == "/var/lib/xianfeng"
    assert unit["UMask"] == "0077"
    assert unit["ExecStart"].endswith("xianfeng run")


def test_the_dockerfile_copies_every_shipped_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = set(re.findall(r"^COPY (\S+) \./\1$", (DEPLOY / "Dockerfile").read_text(), re.M))
    assert set(packages) <= copied


def test_the_env_example_names_real_settings_and_no_secret() -> None:
    text = (DEPLOY / "xianfeng.env.example").read_text()
    names = re.findall(r"^#?(XIANFENG_[A-Z_]+)=", text, re.M)
    fields = {f"XIANFENG_{name.upper()}" for name in Settings.model_fields}
    assert names and set(names) <= fields, set(names) - fields
    token = re.search(r"^XIANFENG_BOT_TOKEN=(.*)$", text, re.M)
    assert token is not None and "replace" in token.group(1)


def _directives(unit: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found
