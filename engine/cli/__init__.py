"""``geor``: one command-line tool with a subcommand per job.

Each subcommand lives in its own module with ``register(subparsers)`` and a handler. Library code
raises typed exceptions; only here are they turned into one line on stderr and a non-zero exit, by
the error contract of ``engine/errors.py``: a ``UserError`` or an ``OSError`` is the user's to fix
(exit 1, its message as it is); anything else is a bug in Geo-R (exit 70; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

from geor.engine import __version__
from geor.engine.blas_threads import one_blas_thread
from geor.engine.errors import UserError, user_message

from . import cor, distance, evaluate, geocoder, models, predict, tag, where

_COMMANDS = (distance, where, cor, geocoder, predict, tag, models, evaluate)

#: Exit codes: 1 the input or a file was wrong, 2 the command line was wrong, 70 a bug in Geo-R.
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="geor", description="Geo-R: offline photo geolocation.")
    parser.add_argument("--version", action="version", version=f"geor {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of unexpected errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for command in _COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    one_blas_thread()
    code = run_command(build_parser(), argv)
    if argv is None:  # the program itself (the console script), about to exit
        # Its exit would run the cyclic garbage collector over every object numba, numpy and the
        # region pack made, 0.2-0.35 s of a 1.1 s `geor where`; frozen, they are left to the process's
        # end (objects are still released; files and the job store are closed by the commands).
        gc.freeze()
    return code


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse, run the subcommand's handler, and turn what it raises into one line and an exit code
    (shared by every Geo-R command-line tool). On Ctrl-C, a command that resumes says so: its parser
    or subcommand sets ``set_defaults(interrupted_hint=RESUME_HINT)``."""
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    name = f"{parser.prog} {args.command}".strip()
    try:
        return int(args.handler(args) or 0)
    except (UserError, OSError) as exc:
        print(f"{name}: error: {user_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{name}: interrupted{getattr(args, 'interrupted_hint', '')}", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if args.debug:
            raise
        print(f"{name}: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", file=sys.stderr)
        return EXIT_INTERNAL
