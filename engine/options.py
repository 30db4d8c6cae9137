"""Options declared once. A frozen dataclass's fields carry their help text and command-line flag in
``field(metadata=option(...))``; ``add_arguments`` turns them into argparse arguments and
``from_arguments`` builds the dataclass back from the parsed namespace (as TRL's ``ModelConfig``
with ``TrlParser`` does), and ``to_json``/``from_json`` give the stored form a round trip. A field
whose type is itself such a dataclass (the placement policy inside the tag options) is walked, its
arguments in a group of its own. Nothing heavy is imported: ``geor --help`` stays quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def option(help: str, *, flag: str | None = None, aliases: tuple[str, ...] = (), metavar: str | None = None,
           choices: tuple[str, ...] | None = None, label: str | None = None, group: str | None = None, cli: bool = True) -> dict[str, Any]:
    """A field's metadata: ``help`` (also the desktop's tooltip), ``flag`` (default ``--name-with-dashes``;
    for a field true by default, the flag that turns it off), ``label`` (the desktop's row), ``group``
    (for a nested options type: the title of its group of flags), ``cli=False``: no flag."""
    return {"help": help, "flag": flag, "aliases": aliases, "metavar": metavar, "choices": choices, "label": label, "group": group, "cli": cli}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_options(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _without_none(kind: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed)."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return (args[0] if len(args) == 1 else kind), True
    return kind, False


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup, cls: type, *, prefix: str = "",
                  root: argparse.ArgumentParser | None = None, required: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> None:
    """One argument per field of ``cls`` that has a flag (dest ``prefix + name``), defaults from the
    fields; ``required``: fields the command line must give; ``skip``: fields it does not offer."""
    root = root or (parser if isinstance(parser, argparse.ArgumentParser) else None)
    hints = _hints(cls)
    for spec in dataclasses.fields(cls):
        meta = spec.metadata
        if not meta or not meta.get("cli", True) or spec.name in skip:
            continue
        kind, optional = _without_none(hints[spec.name])
        dest = prefix + spec.name
        if _is_options(kind):
            target = root.add_argument_group(meta.get("group") or spec.name) if root is not None else parser
            add_arguments(target, kind, prefix=f"{dest}.", root=root)
            continue
        if spec.default is not dataclasses.MISSING:
            default = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            default = spec.default_factory()
        else:
            default = None  # a field the command line must give, or the caller fills
        flags = [meta.get("flag") or "--" + spec.name.replace("_", "-"), *meta.get("aliases", ())]
        shown = meta["help"]
        common: dict[str, Any] = {"dest": dest, "help": shown}
        if meta.get("metavar"):
            common["metavar"] = meta["metavar"]
        elif not (kind is bool or meta.get("choices")):
            common["metavar"] = spec.name.upper()  # not the dotted dest of a nested option
        if kind is bool and optional:
            parser.add_argument(*flags, action=argparse.BooleanOptionalAction, default=default, **common)
        elif kind is bool:
            parser.add_argument(*flags, action="store_false" if default else "store_true", **common)
        elif typing.get_origin(kind) is tuple:
            parser.add_argument(*flags, action="append", default=[], **common)
        else:
            if default is not None and kind in (int, float):
                common["help"] = f"{shown} (default %(default)g)"
            parser.add_argument(*flags, type=kind, default=default, choices=meta.get("choices"), required=spec.name in required, **common)


def from_arguments(cls: type[T], namespace: argparse.Namespace, *, prefix: str = "", **given: Any) -> T:
    """The ``cls`` the parsed flags ask for (a field without ``option`` metadata is read from the
    attribute of its own name, when the parser has one); ``given`` fills the fields that have no flag."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name in given:
            values[spec.name] = given[spec.name]
            continue
        meta = spec.metadata
        if meta and not meta.get("cli", True):
            continue
        kind, _ = _without_none(hints[spec.name])
        dest = prefix + spec.name
        if meta and _is_options(kind):
            values[spec.name] = from_arguments(kind, namespace, prefix=f"{dest}.")
        elif hasattr(namespace, dest):
            value = getattr(namespace, dest)
            values[spec.name] = tuple(value) if typing.get_origin(kind) is tuple else value
    return cls(**values)


def to_json(options: Any) -> dict[str, Any]:
    """A JSON-able dict (nested options as nested dicts, tuples as lists)."""
    return typing.cast(dict[str, Any], _plain(dataclasses.asdict(options)))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """``cls`` from ``to_json``'s dict; unknown keys are ignored and missing ones take their defaults
    (a job stored by another version of Geo-R reads as well as it can)."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name not in data:
            continue
        kind, _ = _without_none(hints[spec.name])
        value = data[spec.name]
        if value is not None and _is_options(kind):
            value = from_json(kind, value)
        elif value is not None and typing.get_origin(kind) is tuple:
            value = tuple(value)
        values[spec.name] = value
    return cls(**values)
