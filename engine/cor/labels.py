"""The regular expression that finds level labels ("Country:", "**Province**:") in model text."""

from __future__ import annotations

import re

from .answer import LEVELS

_ALIAS_TO_KEY = {alias: level.key for level in LEVELS for alias in level.aliases}
_ALTERNATIVES = "|".join(
    re.escape(alias).replace(r"\ ", r"\s+").replace("/", r"\s*/\s*").replace(",", r"\s*,\s*")
    for alias in sorted(_ALIAS_TO_KEY, key=len, reverse=True)
)

#: A label: at a line start or after a separator, optional markdown emphasis, then a colon.
LABEL_PATTERN = re.compile(
    rf"(?:^|(?<=[\s/|;>(\-]))[*_]*\s*(?P<label>{_ALTERNATIVES})\s*[*_]*\s*[:：=]\s*[*_]*",
    re.IGNORECASE | re.MULTILINE,
)


def level_key(label: str) -> str:
    """The level key ("country", ...) of a label as matched by :data:`LABEL_PATTERN`."""
    return _ALIAS_TO_KEY[re.sub(r"\s*([/,])\s*", r"\1", re.sub(r"\s+", " ", label.strip().casefold())).replace(",", ", ")]
