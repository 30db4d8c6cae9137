"""The job store: one SQLite file per tagging job, holding every photo's state and the write
journal, so a job killed at any moment resumes where it stopped and can be undone after a crash
or a reboot. Each state change is committed before the next action."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from geor.engine.errors import BadInput
from geor.engine.paths import printable, user_data_dir
from geor.engine.photos import WriteResult

from .tag_options import TagOptions
from .vocabulary import NAME_FIELDS, PROPOSED_STAGES, Stage

SCHEMA = """
CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY,
    relpath BLOB UNIQUE NOT NULL,      -- os.fsencode: any file name, even non-UTF-8
    size INTEGER, mtime_ns INTEGER,
    stage TEXT NOT NULL,               -- new, read, decided, review, written, withheld, kept, unplaced, failed, skipped
    taken_at TEXT, utc_offset_s INTEGER, camera TEXT,
    time_source TEXT,                  -- the tag the capture time came from (ModifyDate: weak, flagged)
    gps_lat REAL, gps_lon REAL, gps_alt REAL,
    gps_problem TEXT,                  -- a malformed GPS block: never replaced without --overwrite
    gps_time TEXT, gps_accuracy_m REAL, -- the GPS fix's UTC time and horizontal error, where the file has them
    utc TEXT, clock TEXT,              -- the photo's moment on the job's UTC timeline; its camera's clock in words
    clock_strength TEXT,               -- set, exact, declared, strong, weak, unknown
    source TEXT,                       -- exif, track, interpolated (other photos' GPS), model, manual
    lat REAL, lon REAL, confidence REAL,
    radius_m REAL,                     -- how far off the position may be
    evidence TEXT,                     -- why this position, in words (message: what happened to the photo)
    city TEXT, state TEXT, country TEXT, country_code TEXT, country_code3 TEXT,
    message TEXT,
    verdict TEXT                       -- a person's review: accepted, rejected; NULL: none yet
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL,
    target BLOB NOT NULL,
    created INTEGER NOT NULL,          -- the target (a sidecar) did not exist before
    old TEXT NOT NULL, new TEXT NOT NULL,
    sha256 TEXT NOT NULL,              -- of the target as Geo-R wrote it
    original_sha256 TEXT,              -- of the target before (NULL: created)
    restore BLOB,                      -- zstd patch from the written bytes back to the original ones
    state TEXT NOT NULL,               -- pending, done, undone, abandoned
    message TEXT, at TEXT,
    batch INTEGER                      -- one write action (geor tag's run, a review's write): undone together
);
CREATE TABLE IF NOT EXISTS model_predictions (  -- the model stage's answers, so a resumed job never asks twice
    photo_id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    data TEXT NOT NULL                 -- JSON: Prediction.as_dict()
);
CREATE TABLE IF NOT EXISTS fingerprints (  -- the scenes' perceptual hashes, so a resumed job never decodes twice
    photo_id INTEGER PRIMARY KEY,
    size INTEGER, mtime_ns INTEGER,    -- of the file the hash is of (photos.size, photos.mtime_ns when taken)
    hash TEXT                          -- 16 hex digits; NULL: no decoder could read the file
);
CREATE TABLE IF NOT EXISTS telemetry (  -- a video's embedded GPS track (GoPro GPMF, CAMM, ...), read once
    photo_id INTEGER NOT NULL,
    t REAL NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, ele REAL  -- UTC seconds, degrees, metres
);
CREATE INDEX IF NOT EXISTS telemetry_of ON telemetry (photo_id);
"""


@dataclass(frozen=True, slots=True)
class PhotoRow:
    """One photo of the job as the store holds it (the ``photos`` table; the columns are described
    in ``SCHEMA``). Times are ISO 8601 text, as stored."""

    id: int
    relpath: bytes  # os.fsencode of the path inside the job's folder
    stage: str
    size: int | None = None
    mtime_ns: int | None = None
    taken_at: str | None = None
    utc_offset_s: int | None = None
    camera: str | None = None
    time_source: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    gps_problem: str | None = None
    gps_time: str | None = None
    gps_accuracy_m: float | None = None
    utc: str | None = None
    clock: str | None = None
    clock_strength: str | None = None
    source: str | None = None
    lat: float | None = None
    lon: float | None = None
    confidence: float | None = None
    radius_m: float | None = None
    evidence: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = None
    country_code3: str | None = None
    message: str | None = None
    verdict: str | None = None

    @property
    def gps(self) -> tuple[float, float, float | None] | None:
        """Its own GPS, as read from the file."""
        return (self.gps_lat, self.gps_lon, self.gps_alt) if self.gps_lat is not None and self.gps_lon is not None else None

    @property
    def position(self) -> tuple[float, float] | None:
        """The position decided for it (its own GPS kept, proposed, placed or written)."""
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None

    @property
    def names(self) -> dict[str, str | None]:
        """Its place names (city, state, country and the country's codes)."""
        return {name: getattr(self, name) for name in NAME_FIELDS}


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One journaled write (the ``changes`` table)."""

    id: int
    photo_id: int
    target: bytes  # os.fsencode of the file written (the photo or its sidecar)
    created: int  # the target (a sidecar) did not exist before
    old: str  # JSON: the location fields before and after
    new: str
    sha256: str  # of the target as Geo-R wrote it
    state: str  # pending, done, undone, abandoned
    original_sha256: str | None = None
    restore: bytes | None = None  # zstd patch from the written bytes back to the original ones
    message: str | None = None
    at: str | None = None
    batch: int | None = None

    @property
    def target_path(self) -> Path:
        return Path(os.fsdecode(self.target))


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What the read stage found in a photo's metadata (times as ISO 8601 text)."""

    taken_at: str | None
    utc_offset_s: int | None
    time_source: str | None
    camera: str | None
    gps: tuple[float, float, float | None] | None
    gps_problem: str | None
    gps_time: str | None
    gps_accuracy_m: float | None


@dataclass(frozen=True, kw_only=True)
class Position:
    """A position decided for a photo and why (the decide stage, the model, a person)."""

    stage: str
    source: str | None
    lat: float | None
    lon: float | None
    confidence: float | None
    radius_m: float | None
    evidence: str | None
    message: str | None
    gps_alt: float | None = None


_PHOTO_COLUMNS = frozenset(f.name for f in fields(PhotoRow))
_CHANGE_COLUMNS = frozenset(f.name for f in fields(ChangeRow))


def _photo_row(row: Mapping[str, Any]) -> PhotoRow:
    values = {k: row[k] for k in row.keys() if k in _PHOTO_COLUMNS}  # noqa: SIM118 - sqlite3.Row has keys(), not iteration by key
    values["relpath"] = bytes(values["relpath"])
    return PhotoRow(**values)


def _change_row(row: Mapping[str, Any]) -> ChangeRow:
    values = {k: row[k] for k in row.keys() if k in _CHANGE_COLUMNS}  # noqa: SIM118
    values["target"] = bytes(values["target"])
    if values.get("restore") is not None:
        values["restore"] = bytes(values["restore"])
    return ChangeRow(**values)


def jobs_dir() -> Path:
    return user_data_dir() / "jobs"


@dataclass(frozen=True)
class JobInfo:
    """What a list of jobs shows, read without keeping the job open."""

    id: str
    path: Path
    root: str
    state: str
    created: str
    origin: str  # "cli" or "desktop"


def list_jobs() -> list[JobInfo]:
    """Every job in the data directory, newest first; damaged job files are skipped."""
    folder = jobs_dir()
    jobs = []
    for path in sorted(folder.glob("*.sqlite"), reverse=True) if folder.is_dir() else []:
        try:
            store = JobStore(path)
        except sqlite3.DatabaseError:
            continue
        try:
            jobs.append(JobInfo(store.id, path, store.get("root") or "?", store.get("state") or "?", store.get("created") or "",
                                store.get("origin") or "cli"))
        except sqlite3.DatabaseError:
            pass
        finally:
            store.close()
    return jobs


def job_id_for(root: Path) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:6]
    return f"{stamp}-{digest}"


class JobStore:
    """One job's database."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.id = self.path.stem
        self._root: Path | None = None
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Job stores written by an older Geo-R lack the newer columns: add them (NULL)."""
        for table, column, kind in (("photos", "verdict", "TEXT"), ("changes", "batch", "INTEGER"), ("photos", "time_source", "TEXT"),
                                    ("changes", "original_sha256", "TEXT"), ("changes", "restore", "BLOB"), ("photos", "gps_time", "TEXT"),
                                    ("photos", "gps_accuracy_m", "REAL"), ("photos", "utc", "TEXT"), ("photos", "clock", "TEXT"),
                                    ("photos", "clock_strength", "TEXT"), ("photos", "radius_m", "REAL"),
                                    ("photos", "evidence", "TEXT")):
            names = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in names:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    # -- creating and finding jobs ------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, options: TagOptions | None, origin: str = "cli") -> JobStore:
        """A new job on ``root``; ``options`` None: recorded when the job starts (the desktop queues first)."""
        folder = jobs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        job_id = job_id_for(root)
        serial = 1
        while (folder / f"{job_id}.sqlite").exists():  # two jobs on one folder within a second
            serial += 1
            job_id = f"{job_id_for(root)}-{serial}"
        store = cls(folder / f"{job_id}.sqlite")
        store.set("origin", origin)
        store.set("root", printable(root))
        store.set("root_bytes", os.fsencode(root).hex())
        if options is not None:
            store.record_options(options)
        store.set("state", "running")
        store.set("created", dt.datetime.now().isoformat(timespec="seconds"))
        return store

    def limit_to(self, paths: list[Path]) -> None:
        """Make this a job on these photos of its folder only (each must lie inside the folder)."""
        root = self.root
        relative = []
        for path in paths:
            try:
                relative.append(os.fsencode(Path(path).relative_to(root)).hex())
            except ValueError:
                raise BadInput(f"{printable(path)}: not inside {printable(root)}") from None
        self.set("only", json.dumps(sorted(relative)))

    @classmethod
    def open(cls, job_id: str) -> JobStore:
        path = jobs_dir() / f"{job_id}.sqlite"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in jobs_dir().glob("*.sqlite"))[-5:]) or "none"
            raise BadInput(f"no job {job_id!r} (recent jobs: {known}; see geor jobs)")
        return cls(path)

    @classmethod
    def unfinished_for(cls, root: Path, options: TagOptions, origin: str = "cli") -> JobStore | None:
        """The newest job started the same way (``origin``) on the same folder with the same options
        (but the model's speed settings) that did not finish."""
        wanted = os.fsencode(root).hex(), options.job_key(), origin
        for path in sorted(jobs_dir().glob("*.sqlite"), reverse=True) if jobs_dir().is_dir() else []:
            store = cls(path)
            found = store.get("root_bytes"), store.options().job_key(), store.get("origin") or "cli"
            if found == wanted and store.get("state") != "finished":
                return store
            store.close()
        return None

    @property
    def root(self) -> Path:
        if self._root is None:  # set once, when the job is created
            self._root = Path(os.fsdecode(bytes.fromhex(self.get("root_bytes") or "")))
        return self._root

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM job WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO job (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements that land together or not at all (rolled back when an exception passes)."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- photos: each method named for what it records -----------------------------------------

    def photos(self, *stages: str) -> list[PhotoRow]:
        """The job's photos (those in these stages), in the order they were found."""
        if stages:
            marks = ", ".join("?" for _ in stages)
            return [_photo_row(r) for r in self.db.execute(f"SELECT * FROM photos WHERE stage IN ({marks}) ORDER BY id", stages)]
        return [_photo_row(r) for r in self.db.execute("SELECT * FROM photos ORDER BY id")]

    def photo(self, photo_id: int) -> PhotoRow | None:
        row = self.db.execute("SELECT * FROM photos WHERE id = ?", (photo_id,)).fetchone()
        return _photo_row(row) if row is not None else None

    def path_of(self, row: PhotoRow) -> Path:
        return self.root / os.fsdecode(row.relpath)

    def _update(self, photo_id: int, **values: Any) -> None:
        unknown = values.keys() - _PHOTO_COLUMNS
        assert not unknown, f"no such photo columns: {sorted(unknown)}"
        columns = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(f"UPDATE photos SET {columns} WHERE id = ?", (*(printable(v) if isinstance(v, str) else v for v in values.values()), photo_id))

    def add_found(self, relpath: bytes, size: int, mtime_ns: int) -> int:
        """A photo the scan found for the first time: to be read. Returns its id."""
        cursor = self.db.execute("INSERT INTO photos (relpath, size, mtime_ns, stage) VALUES (?, ?, ?, ?)", (relpath, size, mtime_ns, Stage.NEW))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_skipped(self, relpath: bytes, reason: str) -> None:
        """A path the scan found that is not a photo of this folder (a link out of it, a loop)."""
        self.db.execute("INSERT INTO photos (relpath, stage, message) VALUES (?, ?, ?)", (relpath, Stage.SKIPPED, printable(reason)))

    def mark_found_again(self, photo_id: int, size: int, mtime_ns: int) -> None:
        """The file changed since it was read (or was skipped before): read it again."""
        self._update(photo_id, size=size, mtime_ns=mtime_ns, stage=Stage.NEW, message=None)

    def record_reading(self, photo_id: int, reading: Reading) -> None:
        """The photo's metadata as the read stage found it; a malformed GPS block is its message."""
        gps = {"gps_lat": reading.gps[0], "gps_lon": reading.gps[1], "gps_alt": reading.gps[2]} if reading.gps is not None else {}
        self._update(photo_id, stage=Stage.READ, taken_at=reading.taken_at, utc_offset_s=reading.utc_offset_s,
                     time_source=reading.time_source, camera=reading.camera, gps_problem=reading.gps_problem, message=reading.gps_problem,
                     gps_time=reading.gps_time, gps_accuracy_m=reading.gps_accuracy_m, **gps)

    def record_telemetry(self, photo_id: int, fixes: Sequence[tuple[float, float, float, float | None]]) -> None:
        """A video's telemetry as the read stage found it (none: nothing kept), replacing an earlier reading's."""
        self.db.execute("DELETE FROM telemetry WHERE photo_id = ?", (photo_id,))
        self.db.executemany("INSERT INTO telemetry (photo_id, t, lat, lon, ele) VALUES (?, ?, ?, ?, ?)",
                            [(photo_id, *fix) for fix in fixes])

    def telemetry(self) -> dict[int, list[tuple[float, float, float, float | None]]]:
        """Photo id -> the timed fixes of its telemetry, in time order, for the files read as they are now."""
        found: dict[int, list[tuple[float, float, float, float | None]]] = {}
        rows = self.db.execute("SELECT t.photo_id, t.t, t.lat, t.lon, t.ele FROM telemetry t JOIN photos p ON p.id = t.photo_id "
                               f"WHERE p.stage NOT IN ('{Stage.NEW}', '{Stage.SKIPPED}') ORDER BY t.photo_id, t.t")
        for photo_id, t, lat, lon, ele in rows:
            found.setdefault(int(photo_id), []).append((t, lat, lon, ele))
        return found

    def record_clock(self, photo_id: int, utc: str | None, clock: str, strength: str) -> None:
        """The photo's moment on the job's UTC timeline and its camera's clock in words."""
        self._update(photo_id, utc=utc, clock=clock, clock_strength=strength)

    def record_position(self, photo_id: int, position: Position, *, verdict: str | None = None, names: Mapping[str, str | None] | None = None) -> None:
        """A position for the photo (to write, to review, its own GPS kept, none: unplaced) and why;
        the verdict on it (a person's, for one they placed; none for a new proposal); the place's
        names when they are known now (else the naming step adds them)."""
        extra: dict[str, Any] = {"verdict": verdict}
        if names is not None:
            extra |= {name: names.get(name) for name in NAME_FIELDS}
        self._update(photo_id, stage=position.stage, source=position.source, lat=position.lat, lon=position.lon, gps_alt=position.gps_alt,
                     confidence=position.confidence, radius_m=position.radius_m, evidence=position.evidence, message=position.message,
                     **extra)

    def record_place_names(self, photo_id: int, names: Mapping[str, str | None]) -> None:
        self._update(photo_id, **{name: names.get(name) for name in NAME_FIELDS})

    def set_stage(self, photo_id: int, stage: str, message: str | None) -> None:
        """A photo moved on with the reason (failed, skipped, to review, withheld, written, undone)."""
        self._update(photo_id, stage=stage, message=message)

    def record_file(self, photo_id: int, size: int, mtime_ns: int) -> None:
        """The photo's file as Geo-R left it (after a write or an undo): a later correction writes again."""
        self._update(photo_id, size=size, mtime_ns=mtime_ns)

    def set_verdicts(self, photo_ids: Iterable[int], verdict: str | None) -> int:
        """A person's verdict on these photos' proposals (None: cleared); photos without one (no
        position, written, failed) are left as they are. Returns how many changed."""
        changed = 0
        marks = ", ".join("?" for _ in PROPOSED_STAGES)
        with self.transaction():
            for photo_id in photo_ids:
                cursor = self.db.execute(f"UPDATE photos SET verdict = ? WHERE id = ? AND stage IN ({marks}) AND lat IS NOT NULL",
                                         (verdict, photo_id, *PROPOSED_STAGES))
                changed += cursor.rowcount
        return changed

    # -- model answers --------------------------------------------------------------------------

    def prediction(self, photo_id: int, model: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM model_predictions WHERE photo_id = ? AND model = ?", (photo_id, model)).fetchone()
        return json.loads(row[0]) if row else None

    def predictions(self) -> dict[int, dict[str, Any]]:
        """Every photo's stored model answer (whichever model gave it)."""
        return {int(photo_id): json.loads(data) for photo_id, data in self.db.execute("SELECT photo_id, data FROM model_predictions")}

    def save_prediction(self, photo_id: int, model: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO model_predictions (photo_id, model, data) VALUES (?, ?, ?)",
                        (photo_id, model, json.dumps(data, ensure_ascii=False)))

    # -- scene fingerprints ---------------------------------------------------------------------

    def fingerprints(self) -> dict[int, int | None]:
        """Photo id -> its stored fingerprint (None: undecodable), for the files as the scan last saw them."""
        rows = self.db.execute("SELECT f.photo_id, f.hash FROM fingerprints f JOIN photos p ON p.id = f.photo_id "
                               "WHERE f.size IS p.size AND f.mtime_ns IS p.mtime_ns")
        return {int(photo_id): int(value, 16) if value is not None else None for photo_id, value in rows}

    def save_fingerprints(self, found: dict[int, int | None]) -> None:
        """Fingerprints of the photos' files as the scan saw them (their size and mtime now in the store)."""
        with self.transaction():
            for photo_id, value in found.items():
                self.db.execute("INSERT OR REPLACE INTO fingerprints (photo_id, size, mtime_ns, hash) "
                                "SELECT id, size, mtime_ns, ? FROM photos WHERE id = ?",
                                (f"{value:016x}" if value is not None else None, photo_id))

    # -- the write journal ----------------------------------------------------------------------

    def journal_pending(self, photo_id: int, result: WriteResult, batch: int | None = None) -> int:
        """Record a write before its rename, with what undo needs to give the bytes back."""
        cursor = self.db.execute(
            "INSERT INTO changes (photo_id, target, created, old, new, sha256, original_sha256, restore, state, at, batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (photo_id, os.fsencode(result.target), int(result.created), json.dumps(result.old, ensure_ascii=False),
             json.dumps(result.new, ensure_ascii=False), result.sha256, result.original_sha256, result.restore,
             dt.datetime.now().isoformat(timespec="seconds"), batch),
        )
        assert cursor.lastrowid is not None  # set by the INSERT
        return cursor.lastrowid

    def options(self) -> TagOptions:
        """The options the job was run with (a resumed job and the review's writes obey them)."""
        return TagOptions.from_json(dict(json.loads(self.get("options") or "{}")))

    def record_options(self, options: TagOptions) -> None:
        self.set("options", json.dumps(options.to_json(), sort_keys=True))

    def next_batch(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM changes").fetchone()[0])

    def last_batch(self) -> int | None:
        """The newest write action that still has changes to undo."""
        row = self.db.execute("SELECT MAX(batch) FROM changes WHERE state IN ('done', 'pending')").fetchone()
        return None if row[0] is None else int(row[0])

    def set_change(self, change_id: int, state: str, message: str | None = None) -> None:
        self.db.execute("UPDATE changes SET state = ?, message = ? WHERE id = ?", (state, message and printable(message), change_id))

    def changes(self, *states: str, batch: int | None = None) -> list[ChangeRow]:
        marks = ", ".join("?" for _ in states)
        if batch is None:
            return [_change_row(r) for r in self.db.execute(f"SELECT * FROM changes WHERE state IN ({marks}) ORDER BY id", states)]
        return [_change_row(r) for r in self.db.execute(f"SELECT * FROM changes WHERE state IN ({marks}) AND batch = ? ORDER BY id",
                                                        (*states, batch))]

    def last_written(self, photo_id: int) -> dict[str, Any] | None:
        """The location fields this job last wrote into a photo, when that write still stands."""
        row = self.db.execute("SELECT new FROM changes WHERE photo_id = ? AND state = 'done' ORDER BY id DESC LIMIT 1", (photo_id,)).fetchone()
        return dict(json.loads(row[0])) if row is not None else None
