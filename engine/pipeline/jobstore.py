"""The job store: one SQLite file per tagging job, holding every photo's state and the write
journal, so a job killed at any moment resumes where it stopped and can be undone after a crash
or a reboot. Each state change is committed before the next action."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from geor.engine.paths import printable, user_data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY,
    relpath BLOB UNIQUE NOT NULL,      -- os.fsencode: any file name, even non-UTF-8
    size INTEGER, mtime_ns INTEGER,
    stage TEXT NOT NULL,               -- new, read, decided, written, kept, unplaced, failed
    taken_at TEXT, utc_offset_s INTEGER, camera TEXT,
    gps_lat REAL, gps_lon REAL, gps_alt REAL,
    gps_problem TEXT,                  -- a malformed GPS block: never replaced without --overwrite
    source TEXT,                       -- exif, gpx, interpolated, model, manual
    lat REAL, lon REAL, confidence REAL,
    city TEXT, state TEXT, country TEXT, country_code TEXT, country_code3 TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL,
    target BLOB NOT NULL,
    created INTEGER NOT NULL,          -- the target (a sidecar) did not exist before
    old TEXT NOT NULL, new TEXT NOT NULL,
    sha256 TEXT NOT NULL,              -- of the target as Geo-R wrote it
    state TEXT NOT NULL,               -- pending, done, undone, abandoned
    message TEXT, at TEXT
);
CREATE TABLE IF NOT EXISTS model_predictions (  -- the model stage's answers, so a resumed job never asks twice
    photo_id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    data TEXT NOT NULL                 -- JSON: Prediction.as_dict()
);
"""


def jobs_dir() -> Path:
    return user_data_dir() / "jobs"


def job_id_for(root: Path) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:6]
    return f"{stamp}-{digest}"


class JobStore:
    """One job's database."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.id = self.path.stem
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    # -- creating and finding jobs ------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, options: dict[str, Any]) -> JobStore:
        folder = jobs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        store = cls(folder / f"{job_id_for(root)}.sqlite")
        store.set("root", printable(root))
        store.set("root_bytes", os.fsencode(root).hex())
        store.set("options", json.dumps(options, sort_keys=True))
        store.set("state", "running")
        store.set("created", dt.datetime.now().isoformat(timespec="seconds"))
        return store

    @classmethod
    def open(cls, job_id: str) -> JobStore:
        path = jobs_dir() / f"{job_id}.sqlite"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in jobs_dir().glob("*.sqlite"))[-5:]) or "none"
            raise ValueError(f"no job {job_id!r} (recent jobs: {known}; see geor jobs)")
        return cls(path)

    @classmethod
    def unfinished_for(cls, root: Path, options: dict[str, Any]) -> JobStore | None:
        """The newest job on the same folder with the same options that did not finish."""
        wanted = os.fsencode(root).hex(), json.dumps(options, sort_keys=True)
        for path in sorted(jobs_dir().glob("*.sqlite"), reverse=True) if jobs_dir().is_dir() else []:
            store = cls(path)
            if (store.get("root_bytes"), store.get("options")) == wanted and store.get("state") != "finished":
                return store
            store.close()
        return None

    @property
    def root(self) -> Path:
        return Path(os.fsdecode(bytes.fromhex(self.get("root_bytes") or "")))

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM job WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO job (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()

    # -- photos ---------------------------------------------------------------------------------

    def update_photo(self, photo_id: int, **fields: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in fields)
        values = [printable(v) if isinstance(v, str) else v for v in fields.values()]
        self.db.execute(f"UPDATE photos SET {columns} WHERE id = ?", (*values, photo_id))

    def photos(self, *stages: str) -> list[sqlite3.Row]:
        if stages:
            marks = ", ".join("?" for _ in stages)
            return self.db.execute(f"SELECT * FROM photos WHERE stage IN ({marks}) ORDER BY id", stages).fetchall()
        return self.db.execute("SELECT * FROM photos ORDER BY id").fetchall()

    def path_of(self, row: sqlite3.Row) -> Path:
        return self.root / os.fsdecode(bytes(row["relpath"]))

    # -- model answers --------------------------------------------------------------------------

    def prediction(self, photo_id: int, model: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM model_predictions WHERE photo_id = ? AND model = ?", (photo_id, model)).fetchone()
        return json.loads(row[0]) if row else None

    def save_prediction(self, photo_id: int, model: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO model_predictions (photo_id, model, data) VALUES (?, ?, ?)",
                        (photo_id, model, json.dumps(data, ensure_ascii=False)))

    # -- the write journal ----------------------------------------------------------------------

    def journal_pending(self, photo_id: int, target: Path, created: bool, old: dict[str, Any], new: dict[str, Any], sha256: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO changes (photo_id, target, created, old, new, sha256, state, at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
            (photo_id, os.fsencode(target), int(created), json.dumps(old), json.dumps(new), sha256, dt.datetime.now().isoformat(timespec="seconds")),
        )
        return int(cursor.lastrowid)

    def set_change(self, change_id: int, state: str, message: str | None = None) -> None:
        self.db.execute("UPDATE changes SET state = ?, message = ? WHERE id = ?", (state, message and printable(message), change_id))

    def changes(self, *states: str) -> list[sqlite3.Row]:
        marks = ", ".join("?" for _ in states)
        return self.db.execute(f"SELECT * FROM changes WHERE state IN ({marks}) ORDER BY id", states).fetchall()
