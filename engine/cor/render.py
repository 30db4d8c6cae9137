"""Render a Chain of Region as the text a model learns to write (SFT targets, few-shot examples)."""

from __future__ import annotations

from collections.abc import Iterable

from geor.engine.errors import BadInput

from .answer import COORDINATE_DECIMALS, LEVELS, UNKNOWN, CorAnswer
from .parse import is_renderable_name


def format_coordinates(lat: float, lon: float) -> str:
    """``(lat, lon)`` in fixed decimal degrees, the spelling the model is taught."""
    return f"({lat:.{COORDINATE_DECIMALS}f}, {lon:.{COORDINATE_DECIMALS}f})"


def render_answer(answer: CorAnswer, with_reasoning: bool = True) -> str:
    """The answer as four lines, ``Country: ... / State: ... / City: ... / Coordinates: (lat, lon)``,
    preceded by ``<think>reasoning</think>`` when the answer has reasoning and it is asked for.

    Raises ValueError for a region name that could not be read back as itself.
    """
    names = (answer.country, answer.state, answer.city)
    lines = [f"{level.label}: {_checked_name(level.label, name)}" for level, name in zip(LEVELS[:3], names, strict=True)]
    lines.append(f"{LEVELS[3].label}: {format_coordinates(answer.lat, answer.lon)}")
    text = "\n".join(lines)
    if with_reasoning and answer.reasoning is not None:
        if "<think>" in answer.reasoning or "</think>" in answer.reasoning:
            raise BadInput("reasoning must not contain <think> tags")
        text = f"<think>\n{answer.reasoning.strip()}\n</think>\n{text}"
    return text


def render_few_shot(examples: Iterable[CorAnswer]) -> str:
    """Worked examples for a prompt, separated by blank lines (reasoning left out)."""
    return "\n\n".join(render_answer(example, with_reasoning=False) for example in examples)


def _checked_name(label: str, name: str | None) -> str:
    if name is None:
        return UNKNOWN
    if not is_renderable_name(name):
        raise BadInput(
            f"{label} name {name!r} would not read back as itself (empty, edge punctuation, "
            "a line break, a level label, a <think>/<answer> tag, or a word meaning unknown)"
        )
    return name
