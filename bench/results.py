"""bench/RESULTS.md: the machine a benchmark ran on, and one section per benchmark, one subsection per scale."""

from __future__ import annotations

import platform
import re
import subprocess
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "# Benchmark results\n\nFigures are from the command shown under each heading, on the machine described there.\n"


def _run(command: str) -> str:
    try:
        done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=10)
        return done.stdout.strip("\n")
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine(pg_version: str, redis_version: str) -> str:
    """Markdown lines: CPUs, memory, CPU model, PostgreSQL/Redis/Python versions."""
    free = _run("free -g").splitlines()
    model = _run("lscpu | grep 'Model name'").split(":", 1)[-1].strip()
    return "\n".join(
        [
            "**Machine**",
            "",
            f"- `nproc`: {_run('nproc')}",
            "- `free -g`:",
            "  ```",
            *[f"  {line}" for line in free],
            "  ```",
            f"- `lscpu | grep 'Model name'`: {model}",
            f"- PostgreSQL: {pg_version}",
            f"- Redis: {redis_version}",
            f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        ]
    )


def write_section(title: str, intro: str, scale: str, body: str, path: Path = RESULTS) -> None:
    """Replace `## title` (keeping its other `### ` scale subsections) and within it `### scale`."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    heading = f"## {title}\n"
    sections = re.split(r"(?m)^(?=## )", text)
    head, rest = sections[0], sections[1:]
    current = next((s for s in rest if s.startswith(heading)), None)
    scales: dict[str, str] = {}
    if current is not None:
        for part in re.split(r"(?m)^(?=### )", current)[1:]:
            name = part.splitlines()[0][4:].strip()
            scales[name] = part.rstrip() + "\n"
    scales[scale] = f"### {scale}\n\n{body.rstrip()}\n"
    ordered = sorted(scales.items(), key=lambda kv: -_size(kv[0]))
    section = heading + "\n" + intro.rstrip() + "\n\n" + "\n".join(s for _, s in ordered)
    if current is None:
        rest.append(section)
    else:
        rest[rest.index(current)] = section
    path.write_text(head.rstrip() + "\n\n" + "\n".join(r.rstrip() + "\n" for r in rest), encoding="utf-8")


def _size(scale: str) -> int:
    digits = re.findall(r"[\d,]+", scale)
    return int(digits[0].replace(",", "")) if digits and digits[0].replace(",", "") else 0


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
