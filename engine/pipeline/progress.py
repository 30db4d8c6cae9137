"""How a job reports its progress and is stopped between two photos (the CLI prints, the desktop
draws a bar; either may cancel)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]  # step, done, total; may raise JobCancelled to stop the job
BATCH = 100  # rows committed to the job store together: a killed job keeps all but the last batch's work


class JobCancelled(Exception):
    """Raised by a progress callback to stop a job between two photos. Everything done so far is
    in the job store; running the job again resumes."""
