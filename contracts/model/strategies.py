"""Hypothesis strategies for the model phase: data that reaches the corners the fixed fixtures miss.

Names draw from all of Unicode (outside the BMP, combining marks, right-to-left text) within the
documented limits; sortable fields draw from small pools, so that duplicates are common.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Characters that break naive code: astral plane, combining marks, RTL, zero-width joiner, case folds.
CORNERS = (
    "\U0001f600",
    "\U0001d518",
    "\U00010437",
    "é",
    "e\u0301",
    "\u05d0\u05d1",
    "\u0627\u0644",
    "\u200d",
    "\u00df",
    "\u0130",
    "\u01c5",
    "\u03a3\u03c2",
    "\ufb03",
)
TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
PIECE = st.one_of(st.sampled_from(CORNERS), st.text(TEXT, min_size=1, max_size=3))
# The name's own part (the run prefix and the phase tag come first, and leave room under 128). Never with
# whitespace at either end: the documents do not say a server keeps it, and trimming it is a common choice.
UNICODE_PART = st.lists(PIECE, min_size=0, max_size=8).map("".join).map(lambda text: text[:40].strip())
# A small pool makes equal names (sort ties) likely.
NAME_PART = st.one_of(st.sampled_from(["alpha", "Beta", "alpha", "ß", "😀", "\u05d0"]), UNICODE_PART)
# Both documents require a description ("description string Yes"); whether an empty one may be refused is the
# validation checks' question, not the model's, so the model never sends one.
DESCRIPTION = UNICODE_PART.map(lambda text: text or "-")
SIZE_GB = st.sampled_from([1.0, 2.0, 2.0, 2.5, 10.0, 0.5])
VOLUME_TYPE = st.sampled_from(["data", "model", "scratch"])
CATEGORY = st.sampled_from(["machine-learning", "analytics"])
VISIBILITY = st.sampled_from(["private", "organization"])
ENVIRONMENT = st.sampled_from(["jupyter", "vscode", "rstudio"])
ROLE = st.sampled_from(["editor", "viewer"])
EXTRA_TAGS = st.lists(st.sampled_from(["ml", "prod", "v2"]), max_size=2, unique=True)
# Page sizes: tiny ones cross many page boundaries, 100 is the largest page, None the default.
PAGE_SIZE = st.sampled_from([1, 2, 3, 7, None, 50, 100])
LONGER_THAN_LARGEST_PAGE = 104  # the largest page is 100
BULK = st.sampled_from([12, LONGER_THAN_LARGEST_PAGE])
