"""Redaction: configured keys never survive in text, headers or files."""

from __future__ import annotations

from pathlib import Path

from harness.redact import REDACTED, Redactor


def test_every_occurrence_of_every_key_is_replaced() -> None:
    """Keys are replaced wherever they appear, the longer one first."""
    redact = Redactor(["secret", "secret-plus"])

    assert redact("a secret-plus and a secret") == f"a {REDACTED} and a {REDACTED}"


def test_credential_headers_are_hidden_whatever_their_value() -> None:
    """X-API-Key is hidden even when its value is not a configured key."""
    headers = Redactor(["k1"]).headers({"X-API-Key": "some-other-key", "Accept": "k1", "Host": "h"})

    assert headers == {"X-API-Key": REDACTED, "Accept": REDACTED, "Host": "h"}


def test_scrub_tree_rewrites_only_files_holding_a_key(tmp_path: Path) -> None:
    """Files that mention a key are rewritten without it; the rest are left alone."""
    (tmp_path / "deep").mkdir()
    leaky, clean = tmp_path / "deep" / "log.txt", tmp_path / "ok.txt"
    leaky.write_text("curl -H 'X-API-Key: top-secret' http://x")
    clean.write_text("nothing here")

    fixed = Redactor(["top-secret"]).scrub_tree(tmp_path)

    assert fixed == [leaky]
    assert "top-secret" not in leaky.read_text()
    assert clean.read_text() == "nothing here"


def test_no_secrets_means_no_changes() -> None:
    """Without keys configured, text passes through unchanged."""
    assert Redactor([None, ""]).secrets == []  # type: ignore[list-item]
