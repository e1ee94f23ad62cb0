"""Seams: the parts of the reference server a planted fault may replace, declared where they live.

Each part (the backend, its rules, the authenticator, the three services) lists its seams in
``SEAMS``. The clean code calls every seam through its part (``self.rules.start(...)``,
``self.backend.new_id(...)``), so a fault that replaces one changes behaviour without a branch in
the clean code path. ``override`` is the only way in: it refuses a name that is not a declared
seam, and hands the replacement the original so that a fault can wrap it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Seams:
    """A part of the reference server whose declared seams a planted fault may replace."""

    SEAMS: ClassVar[frozenset[str]] = frozenset()

    def override(self, name: str, replacement: Callable[[Any], Any]) -> None:
        """Replace the seam ``name`` with ``replacement(original)``."""
        if name not in self.SEAMS:
            raise AttributeError(f"{type(self).__name__}.{name} is not a declared seam (see its SEAMS)")
        setattr(self, name, replacement(getattr(self, name)))
