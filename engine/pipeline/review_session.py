"""A person's review of one job as a front end drives it, with no toolkit: the desktop's window binds
its actions, menus and buttons to a ``ReviewSession``, and the tests drive the same session with
no window (as napari's layer actions are plain functions the Qt layer calls).

Each action checks what it needs (a selection, a photo with a position, a model) and raises a
``ReviewError`` with a title and the words to show when it cannot apply; otherwise it returns a
``ReviewAction``: the work, a function of the job's store that the caller runs where it likes (the
desktop on its review lane, off the UI thread), and the words that say what it did. The session
itself holds no store: a job's store belongs to whoever runs the work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .jobstore import JobStore
from .progress import Progress
from .review import (
    PhotoView,
    PlaceNames,
    ReviewError,
    WriteSummary,
    confident_proposals,
    copy_location,
    place,
    set_verdict,
    time_neighbours,
    undo_last_write,
    write_accepted,
)
from .undo import UndoSummary
from .vocabulary import Verdict

T = TypeVar("T")


class CannotApply(ReviewError):
    """A review action that cannot apply to what is selected; ``title`` heads the message."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title


@dataclass(frozen=True)
class ReviewAction(Generic[T]):
    """``work(store)`` does it; ``words(result)`` says what it did (for a status line)."""

    work: Callable[[JobStore], T]
    words: Callable[[T], str]


def _photos(n: int) -> str:
    return f"{n} photo{'s' if n != 1 else ''}"


@dataclass(frozen=True, kw_only=True)
class ReviewSession:
    """``place_names``: the geocoder's names for a position a person chooses; ``window_min``: how
    near in time "copy to neighbours" reaches; ``sidecar``: writes go to XMP sidecars."""

    place_names: PlaceNames | None = None
    window_min: float = 10.0
    sidecar: bool = False

    def verdict(self, photo_ids: Sequence[int], verdict: str | None) -> ReviewAction[int]:
        """Accept or reject these photos' proposals (None: clear the verdict)."""
        ids = list(photo_ids)
        if not ids:
            raise CannotApply("No photo selected", "Select the photos whose proposals you judge first.")
        said = "Cleared the verdict on" if verdict is None else {str(Verdict.ACCEPTED): "Accepted", str(Verdict.REJECTED): "Rejected"}.get(verdict)
        if said is None:
            raise CannotApply("No such verdict", f"a verdict is one of {', '.join(Verdict)} or none, not {verdict!r}")
        return ReviewAction(lambda store: set_verdict(store, ids, verdict), lambda n: f"{said} {_photos(n)}")

    def accept_confident(self) -> ReviewAction[int]:
        """Accept every proposal confident enough to need no scrutiny that nobody has judged yet."""
        return ReviewAction(lambda store: set_verdict(store, confident_proposals(store), Verdict.ACCEPTED),
                            lambda n: f"Accepted {n} confident proposal{'s' if n != 1 else ''}")

    def place(self, photo_ids: Sequence[int], lat: float, lon: float, note: str = "placed by hand") -> ReviewAction[int]:
        """Give these photos a position the person chose (a click on the map, typed, a place found)."""
        ids = list(photo_ids)
        if not ids:
            raise CannotApply("No photo selected", "Select the photos to place first, then click on the map or type the position.")
        return ReviewAction(lambda store: place(store, ids, lat, lon, self.place_names, note),
                            lambda n: f"Placed {_photos(n)} at {lat:.5f}, {lon:.5f}")

    def copy_to_neighbours(self, source: PhotoView | None) -> ReviewAction[int]:
        """Give ``source``'s position to the photos of its folder taken within the window of it."""
        if source is None or source.lat is None:
            raise CannotApply("Nothing to copy", "Select a photo that has a location first.")
        window = dt.timedelta(minutes=self.window_min)
        return ReviewAction(lambda store: copy_location(store, source.id, time_neighbours(store, source.id, window)),
                            lambda n: f"Copied the location of {source.relpath} to {_photos(n)} taken within {self.window_min:g} min")

    def copy_to_selection(self, source: PhotoView | None, photo_ids: Sequence[int]) -> ReviewAction[int]:
        """Give ``source``'s position to the other selected photos."""
        ids = list(photo_ids)
        if source is None or source.lat is None or len(ids) < 2:
            raise CannotApply("Nothing to copy", "Select several photos; the location of the one with the focus goes to the others.")
        return ReviewAction(lambda store: copy_location(store, source.id, ids),
                            lambda n: f"Copied the location of {source.relpath} to {_photos(n)}")

    def ask(self, photo_ids: Sequence[int], ask: Callable[[JobStore, list[int]], Any] | None) -> ReviewAction[Any]:
        """Ask the model about each of these photos on its own (``ask(store, ids)``: the front end's
        model, loaded once; None: no model chosen). The answer is a proposal to review."""
        ids = list(photo_ids)
        if not ids:
            raise CannotApply("No photo selected", "Select the photos to ask the model about first.")
        if ask is None:
            raise CannotApply("No model", "Choose a model in Settings first.")
        count = _photos(len(ids))

        def words(summary: Any) -> str:
            said = [f"The model placed {summary.placed} of {count}; review its answer" if summary.placed else f"The model placed none of {count}"]
            if summary.skipped:
                said.append(f"{summary.skipped} not asked (own GPS, written or reviewed)")
            return "; ".join(said)

        return ReviewAction(lambda store: ask(store, ids), words)

    def write_question(self, views: Sequence[PhotoView]) -> str:
        """What the person is asked before writing the accepted positions (raises when there are none)."""
        count = sum(v.will_write for v in views)
        if count == 0:
            raise CannotApply("Nothing to write", "No photo has an accepted location yet. Accept proposals (A) or place photos first.")
        where = "XMP sidecars beside the photos" if self.sidecar else "the photos (XMP sidecars for formats that cannot take it safely)"
        return (f"Write {count} location{'s' if count != 1 else ''} into {where}?\n\n"
                "Each file is replaced only by a complete, verified copy; Undo Last Write puts the old values back.")

    def write(self, progress: Progress | None = None) -> ReviewAction[WriteSummary]:
        """Write every accepted position, as one batch that undo gives back together."""
        return ReviewAction(lambda store: write_accepted(store, self.sidecar, progress), written_words)

    def undo_last_write(self) -> ReviewAction[UndoSummary | None]:
        return ReviewAction(undo_last_write, undone_words)


def written_words(summary: WriteSummary) -> str:
    text = f"{summary.written} location{'s' if summary.written != 1 else ''} written."
    if summary.failed:
        text += f"\n\n{len(summary.failed)} could not be written (the files are untouched):\n" + "\n".join(summary.failed[:20])
    return text


def undone_words(summary: UndoSummary | None) -> str:
    if summary is None:
        return "This job has written nothing that is still there to undo."
    text = f"Restored {_photos(summary.restored)}, removed {summary.removed_sidecars} sidecar(s)."
    if summary.skipped:
        text += "\n\nLeft as they are:\n" + "\n".join(summary.skipped[:20])
    return text
