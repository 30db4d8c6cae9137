"""The Chain-of-Region instruction, versioned, so that training and inference ask the same thing.

A model is trained against one prompt version; its manifest records the version and inference
uses it. Add a new version rather than editing an old one.
"""

from __future__ import annotations

from typing import Any

from geor.engine.errors import BadInput

from .answer import LEVELS

_FORMAT = "\n".join(
    f"{level.label}: <{hint}>"
    for level, hint in zip(LEVELS, ("country", "state or province", "city or town", "latitude, longitude"), strict=True)
)

PROMPTS: dict[str, str] = {
    "cor-1": (
        "Where was this photo taken? Judge from the visual content alone: landscape, vegetation, "
        "architecture, roads, signs, vehicles, people. Narrow the location down level by level, "
        "from country to state or province to city, then give the coordinates.\n"
        "Answer with exactly these four lines:\n"
        f"{_FORMAT}\n"
        "Give the coordinates in decimal degrees, latitude first, as (latitude, longitude)."
    ),
}

#: The version new models are trained with.
CURRENT_PROMPT_VERSION = "cor-1"

_REASONING_SUFFIX = "\nFirst reason step by step inside <think> </think>, then write the four lines."


def instruction(version: str = CURRENT_PROMPT_VERSION, reasoning: bool = False) -> str:
    """The user instruction that goes with the image."""
    try:
        text = PROMPTS[version]
    except KeyError:
        raise BadInput(f"unknown prompt version {version!r}; known: {', '.join(sorted(PROMPTS))}") from None
    return text + (_REASONING_SUFFIX if reasoning else "")


def chat_messages(version: str = CURRENT_PROMPT_VERSION, reasoning: bool = False) -> list[dict[str, Any]]:
    """The one user turn every backend and the training data use: the instruction first, then the
    photo. Text first means the instruction's tokens are the same for every photo, so a runtime
    can evaluate them once and reuse them (llama.cpp's KV cache) instead of once per photo.

    Content parts follow the Hugging Face chat-template convention (``{"type": "image"}`` marks
    where the image goes); each backend substitutes its own image placeholder.
    """
    return [{
        "role": "user",
        "content": [
            {"type": "text", "text": instruction(version, reasoning)},
            {"type": "image"},
        ],
    }]
