"""The design card's layout, and imports running one way between layers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = [
    "app/__init__.py",
    "app/extensions.py",
    "app/clock.py",
    "app/redis_keys.py",
    "app/errors.py",
    "app/models",
    "app/services",
    "app/web",
    "app/jobs",
    "app/cli.py",
    "app/migrations",
    "wechat_handlers",
    "quiz_bank",
    "config",
    "tests",
    "requirements.txt",
    "README.md",
    "Makefile",
    ".ci/run",
    "pyproject.toml",
]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_in(folder: str) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def test_layout_exists():
    missing = [p for p in REQUIRED if not (ROOT / p).exists()]
    assert not missing, f"missing from the design card layout: {missing}"


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            assert "==" in line, f"not pinned: {line}"


def forbidden(folder: str, prefixes: tuple[str, ...]) -> list[str]:
    bad = []
    for path in modules_in(folder):
        for name in imports_of(path):
            if name.startswith(prefixes):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def test_config_and_quiz_bank_import_nothing_from_app():
    assert forbidden("config", ("app", "wechat_handlers", "flask", "sqlalchemy")) == []
    assert forbidden("quiz_bank", ("app", "wechat_handlers", "config", "flask", "sqlalchemy")) == []


def test_services_and_models_do_not_import_upward():
    upward = ("app.web", "wechat_handlers", "app.cli", "app.jobs", "flask.request")
    assert forbidden("app/services", upward) == []
    assert forbidden("app/models", upward + ("app.services",)) == []


def test_services_never_commit():
    offenders = []
    for path in modules_in("app/services") + modules_in("wechat_handlers/handlers"):
        text = path.read_text(encoding="utf-8")
        if "session.commit(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_handlers_do_not_import_web():
    assert forbidden("wechat_handlers", ("app.web",)) == []


def test_only_clock_reads_the_date():
    offenders = []
    for folder in ("app", "wechat_handlers"):
        for path in modules_in(folder):
            if path.name == "clock.py" or "emulator" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "date.today(" in text or "datetime.now(" in text or "datetime.utcnow(" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == ["app/state_store.py"]  # wall-clock TTLs mirror Redis, not the campaign clock


def test_redis_key_strings_live_in_one_module():
    offenders = []
    for folder in ("app", "wechat_handlers"):
        for path in modules_in(folder):
            if path.name == "redis_keys.py":
                continue
            if '"ff:' in path.read_text(encoding="utf-8"):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == ["app/state_store.py"]  # its ping key only


def test_modules_stay_small():
    big = []
    for folder in ("app", "wechat_handlers", "quiz_bank", "config"):
        for path in modules_in(folder):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 400:
                big.append(f"{path.relative_to(ROOT)}: {lines}")
    assert big == []
