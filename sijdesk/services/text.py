"""Accent- and case-insensitive folding for search keys and sorting."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
    }
)
_WORD_SPLIT = re.compile(r"[\s,;/'’`\-\.]+")


def fold(text: str) -> str:
    """Lower-case, accents removed: ``"Zoë Łukasiewicz"`` -> ``"zoe lukasiewicz"``."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_SPECIAL).strip()


def words(text: str) -> list[str]:
    """Folded words of a name or a query, in order, without empties."""
    return [w for w in _WORD_SPLIT.split(fold(text)) if w]


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix + "\U0010ffff"


def storable(text: str) -> str:
    """Text both databases can store: a NUL (PostgreSQL refuses it) as a space, a lone
    surrogate (an undecodable byte of a command-line argument) as "?"."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
