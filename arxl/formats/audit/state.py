"""The ledger state file: the audited tables as arxl left them at the last journal entry.

``billing.xlsx`` gets ``billing.audit-state.json.gz`` beside it, rewritten at each entry of the action journal
(atomically: a temporary file beside it, then a rename), and the SHA-256 of its bytes goes in that entry. What
it holds is :func:`arxl.ledger.fingerprint.snapshot` as gzip'd JSON, written without a time stamp in the gzip
header so that the same state gives the same bytes.

>>> import tempfile
>>> path = state_path(Path(tempfile.mkdtemp()) / "billing.xlsx")
>>> digest = write_state(path, {"version": 1, "book": "billing.xlsx", "tables": {}})
>>> read_state(path)["book"], digest == write_state(path, read_state(path))
('billing.xlsx', True)
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from arxl.formats.audit.journal import AuditFileError, file_sha256
from arxl.formats.xlsx.save import atomic_write

SUFFIX = ".audit-state.json.gz"
LEVEL = 3  # a few seconds saved on a big ledger for a file a little bigger than at level 9


def state_path(book: Path) -> Path:
    """``folder/billing.xlsx`` -> ``folder/billing.audit-state.json.gz``."""
    return book.parent / f"{book.stem}{SUFFIX}"


def write_state(path: Path, state: dict[str, Any]) -> str:
    """Write the state file atomically; return the SHA-256 of its bytes."""
    data = gzip.compress(json.dumps(state, ensure_ascii=True, separators=(",", ":")).encode("ascii"),
                         compresslevel=LEVEL, mtime=0)

    def write(temp: Path) -> None:
        temp.write_bytes(data)

    atomic_write(path, write, backup=False)
    return file_sha256(path)


def read_state(path: Path) -> dict[str, Any]:
    """The state a journal entry recorded (raises AuditFileError when the file is not one)."""
    try:
        state = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        raise AuditFileError("is missing", f"[{path.name}]") from None
    except (OSError, EOFError, ValueError) as exc:
        raise AuditFileError(f"is not a ledger state written by arxl ({exc})", f"[{path.name}]") from None
    if not isinstance(state, dict) or not isinstance(state.get("tables"), dict):
        raise AuditFileError("is not a ledger state written by arxl", f"[{path.name}]")
    return state
