"""Dependency vulnerability check for CI: pip-audit against every pinned package (constraints.txt).

pip-audit asks PyPI's per-release JSON API (or OSV). Where that API is blocked (this workplace's network reaches only
the package index), the check falls back to PyPI's project JSON, which lists the known vulnerabilities of each
project's latest release: a pin equal to the latest release is then checked exactly, and an older pin is reported as
"not audited" (with the latest version, so someone can upgrade). The output always says which of the two ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "constraints.txt"


def pins() -> dict[str, str]:
    found = {}
    for line in PINS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[name.strip()] = version.strip()
    return found


def fetch(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (fixed https URL)
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError):
        return None


def per_release_api_reachable() -> bool:
    return fetch("https://pypi.org/pypi/pip/25.3/json") is not None


def run_pip_audit() -> int:
    print("pip-audit: PyPI vulnerability service reachable; auditing every pin (strict)")
    cmd = [sys.executable, "-m", "pip_audit", "--strict", "--progress-spinner", "off", "-r", str(PINS)]
    return subprocess.call(cmd, cwd=ROOT)  # noqa: S603 (fixed argv, no user input)


def fallback() -> int:
    print(
        "pip-audit: PyPI's per-release API is blocked here; checking each pin against its project's latest release"
    )
    pinned = pins()
    with ThreadPoolExecutor(max_workers=8) as pool:
        docs = dict(
            zip(pinned, pool.map(lambda n: fetch(f"https://pypi.org/pypi/{n}/json"), pinned), strict=True)
        )
    vulnerable, unaudited, unreachable = [], [], []
    for name, version in sorted(pinned.items(), key=lambda kv: kv[0].lower()):
        doc = docs[name]
        if doc is None:
            unreachable.append(name)
            continue
        latest = doc["info"]["version"]
        if latest != version:
            unaudited.append(f"{name}=={version} (latest {latest})")
            continue
        for vuln in doc.get("vulnerabilities") or []:
            vulnerable.append(
                f"{name}=={version}: {vuln.get('id')} fixed in {', '.join(vuln.get('fixed_in') or []) or '?'}"
            )
    audited = len(pinned) - len(unaudited) - len(unreachable)
    print(
        f"  {audited} of {len(pinned)} pins are the latest release and were checked: {len(vulnerable)} vulnerable"
    )
    for line in vulnerable:
        print("  VULNERABLE", line)
    if unaudited:
        print(f"  not audited (older than the latest release): {', '.join(unaudited)}")
    if unreachable:
        print(f"  not audited (project JSON unreachable): {', '.join(unreachable)}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(run_pip_audit() if per_release_api_reachable() else fallback())
