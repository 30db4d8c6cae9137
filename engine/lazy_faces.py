"""A package face that loads its names on first use (PEP 562): ``from geor.engine.pipeline import
JobStore`` works as ever, but importing the package (or one light module of it, as ``geor --help``
does for the option declarations) loads none of the heavy modules behind the face."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, homes: Mapping[str, list[str]], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The package's ``__getattr__``: each name of ``homes`` (module -> names; a module relative to
    ``package`` or absolute) imported from its module when first asked for, then kept."""
    home_of = {name: module for module, names in homes.items() for name in names}

    def attribute(name: str) -> Any:
        module = home_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    return attribute
