"""Keys never leave the process: every string bound for a log, report or reproduction passes here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "set-cookie"})


class Redactor:
    """Replaces each configured secret, wherever it appears, with ``[REDACTED]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a key containing another key is replaced whole
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Credential headers are hidden whatever their value (a wrong key is still a key)."""
        return {name: REDACTED if name.lower() in SECRET_HEADERS else self(value) for name, value in headers.items()}

    def scrub_tree(self, root: Path) -> list[Path]:
        """Rewrite any file under ``root`` that still holds a secret; return the files it had to fix."""
        fixed = []
        needles = [secret.encode() for secret in self.secrets]
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                for needle in needles:
                    data = data.replace(needle, REDACTED.encode())
                path.write_bytes(data)
                fixed.append(path)
        return fixed
