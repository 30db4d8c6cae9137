"""``geor-desktop`` from the command line: --version, bad paths, and the scriptable batch mode."""

import os
import subprocess
import sys

from geor.engine import __version__

from ..helpers.desktop_photos import photo_folder


def app(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "geor.desktop.app", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def test_version_and_a_wrong_path(tmp_path):
    out = app("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"geor-desktop {__version__}"
    out = app(tmp_path / "nowhere", "--quit-when-done")
    assert out.returncode == 2 and "nowhere: no such file or folder" in out.stderr


def test_quit_when_done_reports_this_runs_jobs_only(tmp_path, desktop_home):
    from geor.engine.pipeline import JobStore

    earlier = JobStore.create(tmp_path, None, origin="desktop")  # an interrupted job from another day
    earlier.set("state", "running")
    earlier.close()
    folder = photo_folder(tmp_path, model_photos=0)
    env = {"GEOR_DATA_DIR": str(desktop_home), "XDG_CONFIG_HOME": str(tmp_path / "config"), "GEOR_CACHE_DIR": str(tmp_path / "cache")}
    out = app(folder, "--quit-when-done", env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [line for line in out.stdout.splitlines() if "ready for review" in line or "interrupted" in line]
    assert lines == [f"{folder}: ready for review: 1 error, 2 has GPS, 1 proposed"]
    assert "window ready after" in out.stdout


def test_write_confident_writes_the_confident_proposals(tmp_path, desktop_home):
    from geor.engine.photos import read_metadata
    from geor.engine.pipeline import JobStore, undo_job

    folder = photo_folder(tmp_path, model_photos=0)
    original = (folder / "tokyo_2.jpg").read_bytes()
    env = {"GEOR_DATA_DIR": str(desktop_home), "XDG_CONFIG_HOME": str(tmp_path / "config"), "GEOR_CACHE_DIR": str(tmp_path / "cache")}
    assert app(folder, "--write-confident", env=env).returncode == 2  # only in the batch mode
    out = app(folder, "--quit-when-done", "--write-confident", env=env)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert f"{folder}: written 1, failed 0" in out.stdout.splitlines()
    assert read_metadata(folder / "tokyo_2.jpg").gps is not None
    job = next(p for p in (desktop_home / "jobs").glob("*.sqlite"))
    assert undo_job(JobStore(job)).restored == 1 and (folder / "tokyo_2.jpg").read_bytes() == original


def test_a_model_for_this_session_is_used_and_not_saved(tmp_path, desktop_home):
    """``--model`` replaces the saved model's name for this run only; a model that is not there is
    the job's error in words, never a bug (an earlier build crashed here on the model's settings)."""
    folder = photo_folder(tmp_path, model_photos=1)
    env = {"GEOR_DATA_DIR": str(desktop_home), "XDG_CONFIG_HOME": str(tmp_path / "config"), "GEOR_CACHE_DIR": str(tmp_path / "cache")}
    missing = tmp_path / "no-such-model.gguf"
    out = app(folder, "--model", missing, "--quit-when-done", env=env)
    said = out.stdout + out.stderr
    assert "This is a bug" not in said and "no-such-model.gguf" in said, said[-2000:]
    saved = "".join(p.read_text(errors="replace") for p in (tmp_path / "config").rglob("*.conf"))
    assert "no-such-model" not in saved
