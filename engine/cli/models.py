"""``geor models list|pull|verify|remove``: the models Geo-R knows and those on this machine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import RESUME_HINT, BadInput

if TYPE_CHECKING:  # imported where used: `geor --help` stays fast
    from rich.progress import TaskID


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("models", help="list, download and check models")
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="known models and whether they are installed")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)
    pull = commands.add_parser("pull", help="download a model (resumable, checksummed) into the user's data folder")
    pull.add_argument("name")
    pull.set_defaults(handler=run_pull, interrupted_hint=RESUME_HINT)
    verify = commands.add_parser("verify", help="check a model's files against its manifest (sizes, SHA-256, GGUF headers)")
    verify.add_argument("model", help="an installed model's name, or a model folder")
    verify.set_defaults(handler=run_verify)
    remove = commands.add_parser("remove", help="delete an installed model")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)


def run_list(args: argparse.Namespace) -> int:
    from geor.engine.models import registry

    models = registry.registry()
    local = sorted(p.name for p in registry.models_dir().iterdir() if p.is_dir()) if registry.models_dir().is_dir() else []
    rows = [{"name": m.name, "family": m.family, "format": m.format, "quantization": m.quantization,
             "status": registry.status(m.name), "description": m.description, "licence": m.licence} for m in models.values()]
    rows += [{"name": name, "status": registry.status(name), "description": "installed, not in the registry"} for name in local if name not in models]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']:32} {row['status']:9} {row['description']}")
    print(f"\nmodels folder: {registry.models_dir()}", file=sys.stderr)
    return 0


def run_pull(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from geor.engine.models import registry

    progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                        disable=not sys.stderr.isatty())
    tasks: dict[str, TaskID] = {}

    def tick(file: str, done: int, total: int | None) -> None:
        if file not in tasks:
            tasks[file] = progress.add_task(file, total=total)
        progress.update(tasks[file], completed=done, total=total)

    with progress:
        folder = registry.pull(args.name, tick)
    print(f"{args.name}: installed in {folder}; use it with --model {args.name}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from geor.engine.models import registry

    folder = Path(args.model).expanduser()
    if not folder.is_dir():
        installed = registry.installed_path(args.model)
        if installed is None:
            raise BadInput(f"{args.model}: no such folder and no installed model of that name")
        folder = installed
    problems = registry.verify_folder(folder)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{folder}: all files match the manifest")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from geor.engine.models import registry

    if not registry.remove(args.name):
        raise BadInput(f"{args.name}: not installed")
    print(f"{args.name}: removed")
    return 0
