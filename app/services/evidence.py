"""Evidence files: the type is read from the content (not the name), sizes are capped, storage is by sha256."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import DomainError

MAX_FILES = 9
MAX_FILE_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
UPLOAD_TYPES = {**IMAGE_TYPES, "application/pdf": "pdf"}

TOO_MANY_FILES = f"最多只能上传{MAX_FILES}个文件。"
FILE_TOO_BIG = f"单个文件不能超过{MAX_FILE_BYTES // (1024 * 1024)}MB，请换一张小一点的。"
FILE_TYPE = "只能上传照片（jpg、png）或 PDF 文件。"
FILE_EMPTY = "文件是空的，请重新选择。"
REQUEST_TOO_LARGE = "文件太大了，请少选几张或换小一点的照片再试。"


class TooLarge(DomainError):
    code = "too_large"
    status = 413


@dataclass(frozen=True)
class Evidence:
    """A checked file, ready to store."""

    data: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Stored:
    path: str  # relative to the media directory
    sha256: str
    size: int
    content_type: str


def sniff(data: bytes) -> str | None:
    """The file type from its first bytes: JPEG, PNG or PDF; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


def check(data: bytes, allowed: dict[str, str] = UPLOAD_TYPES) -> Evidence:
    """Accept a file only when its content is an allowed type and within the size limit."""
    if not data:
        raise DomainError(FILE_EMPTY, code="file_empty")
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(FILE_TOO_BIG, code="file_too_big")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        raise DomainError(FILE_TYPE, code="file_type")
    return Evidence(data=data, content_type=kind)


def read_capped(stream: BinaryIO) -> bytes:
    """Read an upload, refusing it as soon as it passes the size limit (whatever its headers claim)."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(FILE_TOO_BIG, code="file_too_big")
    return data


def check_count(count: int) -> None:
    if count > MAX_FILES:
        raise DomainError(TOO_MANY_FILES, code="too_many_files")


def store(media_dir: str, tip_id: int, evidence: Evidence) -> Stored:
    """Write the file under <media_dir>/tips/<tip id>/<sha256>.<ext> (atomically; the same bytes twice is
    one file)."""
    ext = UPLOAD_TYPES[evidence.content_type]
    relative = f"tips/{tip_id}/{evidence.sha256}.{ext}"
    target = Path(media_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(evidence.data)
        os.replace(tmp, target)
    return Stored(relative, evidence.sha256, len(evidence.data), evidence.content_type)


def remove_tip_files(media_dir: str, tip_id: int) -> None:
    """Delete every stored file of a tip (retention purge)."""
    shutil.rmtree(Path(media_dir) / "tips" / str(tip_id), ignore_errors=True)
