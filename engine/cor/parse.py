"""Parse a model's text into a Chain of Region. Never raises: garbage gives a typed failure.

Tolerant of what models do: extra prose, markdown emphasis, ``/``-separated single lines, missing
levels, label synonyms (Province, Town, GPS ...), a ``<think>`` section before the answer, an
``<answer>`` wrapper, and the coordinate spellings :mod:`.coordinates` knows. Strict about
coordinates: out-of-range values are failures, never silently clamped or swapped.
"""

from __future__ import annotations

import re

from .answer import LEVELS, UNKNOWN_VALUES, CorAnswer, CorParseFailure, FailureReason, ParseResult
from .coordinates import CoordinatePair, find_pairs
from .labels import LABEL_PATTERN, level_key

_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_ANSWER_TAGS = re.compile(r"<answer>(?P<body>.*?)(?:</answer>|$)", re.IGNORECASE | re.DOTALL)
_NAME_EDGES = re.compile(r"^[\s*_\"'`.,;:/|]+|[\s*_\"'`.,;:/|]+$")
_RESERVED_IN_NAMES = ("<think>", "</think>", "<answer>", "</answer>")


def parse_answer(text: object) -> ParseResult:
    """A :class:`CorAnswer` when ``text`` holds usable coordinates, else a :class:`CorParseFailure`
    saying why (with whatever region names were found)."""
    if not isinstance(text, str):
        return CorParseFailure(reason=FailureReason.NOT_TEXT, detail=f"expected text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        return CorParseFailure(reason=FailureReason.EMPTY, detail="the text is empty")

    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        opening = _THINK_OPEN.search(text, 0, closes[-1].start())
        reasoning = text[opening.end() if opening else 0:closes[-1].start()].strip()
        answer = text[closes[-1].end():]
    elif _THINK_OPEN.search(text):
        return CorParseFailure(reason=FailureReason.UNFINISHED_REASONING, detail="<think> is never closed: the answer was cut off")
    else:
        reasoning, answer = None, text
    wrapped = _ANSWER_TAGS.search(answer)
    if wrapped:
        answer = wrapped.group("body")

    fields, field_spans = _fields(answer)
    names = {key: clean_name(fields.get(key)) for key in ("country", "state", "city")}
    prose = _blank(answer, field_spans)
    prose_pairs = find_pairs(prose, strict=True)
    field_pairs: list[CoordinatePair] = []
    if "coordinates" in fields:
        field_pairs = find_pairs(fields["coordinates"])
    count = len(field_pairs) + len(prose_pairs)

    def failure(reason: FailureReason, detail: str) -> CorParseFailure:
        return CorParseFailure(reason=reason, detail=detail, reasoning=reasoning or None, coordinate_pairs=count, **names)

    if "coordinates" in fields and not field_pairs:
        return failure(FailureReason.MALFORMED_COORDINATES, f"no latitude/longitude in Coordinates: {fields['coordinates']!r}")
    if not field_pairs and not prose_pairs:
        return failure(FailureReason.NO_COORDINATES, "no coordinates in the answer")
    chosen = field_pairs[0] if field_pairs else prose_pairs[-1]
    if chosen.error is not None:
        reason = FailureReason.OUT_OF_RANGE if chosen.out_of_range else FailureReason.MALFORMED_COORDINATES
        return failure(reason, chosen.error)
    return CorAnswer(lat=chosen.lat, lon=chosen.lon, reasoning=reasoning or None, coordinate_pairs=count, **names)


def clean_name(value: str | None) -> str | None:
    """A region name as parsed: edges trimmed of whitespace and punctuation; "Unknown" etc. -> None."""
    if value is None:
        return None
    name = _NAME_EDGES.sub("", value)
    if not name or name.casefold() in UNKNOWN_VALUES:
        return None
    return name


def is_renderable_name(name: str) -> bool:
    """Whether ``name`` survives render -> parse unchanged (used by the renderer's checks)."""
    return (
        clean_name(name) == name
        and "\n" not in name
        and "\r" not in name
        and not LABEL_PATTERN.search(name)
        and not any(tag in name.casefold() for tag in _RESERVED_IN_NAMES)
    )


def _fields(answer: str) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """The value of each labelled level (the last one wins) and the spans of all labelled lines."""
    labels = list(LABEL_PATTERN.finditer(answer))
    fields: dict[str, str] = {}
    spans = []
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(answer)
        newline = re.search(r"[\r\n]", answer[match.end():end])
        if newline:
            end = match.end() + newline.start()
        fields[level_key(match.group("label"))] = answer[match.end():end].strip()
        spans.append((match.start(), end))
    return fields, spans


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


__all__ = ["LEVELS", "clean_name", "is_renderable_name", "parse_answer"]
