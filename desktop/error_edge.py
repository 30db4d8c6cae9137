"""The desktop's side of the error contract (``engine/errors.py``), as the command line's ``run_command``.

A ``UserError`` or an ``OSError`` is the user's to fix: its message is shown as it is. Anything else
is a bug in Geo-R: its traceback goes to a log file and the message says so and where the log is,
so a bug never looks like bad input. ``install_excepthook`` does the same for an exception that
escapes a Qt slot in the UI thread.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeGuard

from geor.engine.errors import UserError, user_message
from geor.engine.paths import printable

LOG_NAME = "geor-desktop.log"
BUG_PREFIX = "This is a bug in Geo-R"


def log_path() -> Path:
    """Where the app writes the tracebacks of bugs; ``GEOR_LOG_DIR`` overrides the platform's log folder."""
    override = os.environ.get("GEOR_LOG_DIR")
    if override:
        return Path(override).expanduser() / LOG_NAME
    import platformdirs

    return Path(platformdirs.user_log_dir("geor", appauthor=False)) / LOG_NAME


def is_users_to_fix(exc: BaseException) -> TypeGuard[UserError | OSError]:
    return isinstance(exc, (UserError, OSError))


def record_bug(exc: BaseException) -> Path | None:
    """Append the traceback to the log (and stderr); the log's path, or None when it cannot be written."""
    text = "".join(traceback.format_exception(exc))
    print(text, file=sys.stderr, end="")
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"--- {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n{text}")
    except OSError:
        return None
    return path


def bug_message(exc: BaseException, log: Path | None) -> str:
    text = printable(str(exc)).strip()
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    where = f"The details are in {log}." if log is not None else "The details were printed on the terminal (the log could not be written)."
    return f"{BUG_PREFIX} ({what}); your photos are untouched. {where} Please report it with that file."


def is_bug(message: str) -> bool:
    """Whether a message :func:`describe` made is a bug's (the job's dialog then asks for a report, not a fix)."""
    return message.startswith(BUG_PREFIX)


def describe(exc: BaseException) -> str:
    """An exception as a message for a person: the contract's errors as they are, a bug as a bug."""
    if is_users_to_fix(exc):
        return user_message(exc)
    return bug_message(exc, record_bug(exc))


def install_excepthook(show: Callable[[str, str], None]) -> None:
    """Exceptions that escape a slot in the UI thread: logged and shown as a bug (``show(title, text)``)
    instead of only printed on a terminal the user may not have."""
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        title = "Geo-R could not do that" if is_users_to_fix(exc) else "Geo-R hit a bug"
        show(title, describe(exc.with_traceback(tb)))

    sys.excepthook = hook
