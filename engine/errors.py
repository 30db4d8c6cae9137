"""The error contract: an error whose message is written for the user derives from :class:`UserError`.

Library code raises one of the three kinds below (or a subclass named after its module); the edges
(the command-line tools, the desktop app) catch exactly ``UserError`` and ``OSError`` and show the
message as it is; anything else is a bug in Geo-R and is reported as one (exit 70, a dialog that
says where the log is). The kinds also derive from the built-in exception a library caller would
expect (``ValueError`` for bad values, ``RuntimeError`` for a missing component), so code that
catches those keeps working.
"""

import os
from pathlib import Path

from geor.engine.paths import printable


class UserError(Exception):
    """A message fit for the user as it is: it names the file or setting and says what to do."""


class BadInput(UserError, ValueError):
    """A file or value the user gave cannot be used (a damaged track, a CSV without a column, a
    position off the globe); the message names it."""


class BadOption(UserError, ValueError):
    """An option or setting that cannot work (a negative window, an unknown device)."""


class MissingComponent(UserError, RuntimeError):
    """A program, package, model or data the job needs is not there; the message says how to get it."""


def not_a_folder(path: str | os.PathLike[str]) -> BadInput:
    """Why a job cannot run on ``path``, which is not a folder: a photo given instead of its folder
    is named as such, with the command for its folder."""
    given = Path(path)
    if given.is_file():
        return BadInput(f"{printable(given)}: a file, not a folder; Geo-R tags the photos of a folder "
                        f"(its folder: {printable(given.resolve().parent)})")
    return BadInput(f"{printable(given)}: no such folder")


#: What a command that resumes where it stopped (a tagging job, a download, a training run) adds to "interrupted".
RESUME_HINT = " (run the same command again to resume)"


def user_message(exc: UserError | OSError) -> str:
    """The one line an edge shows for an error of the contract. An ``OSError`` from the operating
    system is said as ``PATH: what went wrong`` (its file names, if it has them, come first)."""
    if isinstance(exc, OSError) and not isinstance(exc, UserError) and exc.filename is not None:
        paths = " -> ".join(printable(name) for name in (exc.filename, exc.filename2) if name is not None)
        return f"{paths}: {exc.strerror or type(exc).__name__}"
    return printable(str(exc)).strip() or type(exc).__name__
