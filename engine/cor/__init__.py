"""The Chain-of-Region format: the one text a Geo-R model learns and produces.

``Country: Japan / State: Hokkaido / City: Biei Town / Coordinates: (43.452002, 142.615358)``,
one level a line, optionally after a ``<think>...</think>`` reasoning section. Training renders it
(SFT targets), inference and evaluation parse it, and the instruction asking for it is versioned
here, so all three always agree.
"""

from .answer import (
    COORDINATE_DECIMALS,
    LEVELS,
    UNKNOWN,
    CorAnswer,
    CorParseFailure,
    FailureReason,
    Level,
    ParseResult,
)
from .coordinates import CoordinatePair, find_pairs
from .parse import clean_name, is_renderable_name, parse_answer
from .prompt import CURRENT_PROMPT_VERSION, PROMPTS, chat_messages, instruction
from .render import format_coordinates, render_answer, render_few_shot

__all__ = [
    "COORDINATE_DECIMALS",
    "CURRENT_PROMPT_VERSION",
    "LEVELS",
    "PROMPTS",
    "UNKNOWN",
    "CoordinatePair",
    "CorAnswer",
    "CorParseFailure",
    "FailureReason",
    "Level",
    "ParseResult",
    "chat_messages",
    "clean_name",
    "find_pairs",
    "format_coordinates",
    "instruction",
    "is_renderable_name",
    "parse_answer",
    "render_answer",
    "render_few_shot",
]
