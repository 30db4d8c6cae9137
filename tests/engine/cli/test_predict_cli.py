"""``geor predict`` and ``geor tag --model`` end to end on the tiny GGUF model, as processes."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ...helpers.photo_files import make_photo


def geor(home, *args):
    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    env = os.environ | {"GEOR_DATA_DIR": str(home)}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=300)


def test_predict_prints_chain_check_and_confidence(tiny_vlm, geor_home, tmp_path):
    Image.new("RGB", (300, 200), (90, 140, 60)).save(tmp_path / "field.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    result = geor(geor_home, "predict", str(tmp_path / "field.jpg"), str(tmp_path / "broken.jpg"),
                  "--model", str(tiny_vlm.model), "--max-pixels", "12544")
    assert result.returncode == 0, result.stderr
    assert "chain       Japan > Hokkaido > Biei" in result.stdout
    assert "coordinates 43.588000, 142.467000" in result.stdout
    assert "geocoder    country yes, state yes, city yes" in result.stdout
    assert "confidence  1.00" in result.stdout
    assert "broken.jpg: damaged or truncated" in result.stdout or "broken.jpg: not an image" in result.stdout
    assert "llama" not in result.stderr  # llama.cpp's own logging stays out of the user's terminal


def test_predict_json_with_samples(tiny_vlm, geor_home, tmp_path):
    Image.new("RGB", (112, 112), (200, 200, 255)).save(tmp_path / "sky.png")
    result = geor(geor_home, "predict", str(tmp_path / "sky.png"), "--model", str(tiny_vlm.model),
                  "--mmproj", str(tiny_vlm.mmproj), "--samples", "3", "--json", "--max-pixels", "12544")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok" and len(answer["samples"]) == 3
    assert answer["radius_km"] is not None
    assert answer["geocoded"]["country_a2"] == "JP"


def test_predict_errors(tiny_vlm, geor_home, tmp_path):
    Image.new("RGB", (112, 112)).save(tmp_path / "a.jpg")
    missing = geor(geor_home, "predict", str(tmp_path / "a.jpg"), "--model", str(tmp_path / "nope.gguf"))
    assert missing.returncode == 1 and "no such file or folder, and no installed model" in missing.stderr
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    shutil.copy(tiny_vlm.model, lonely / "model.gguf")
    no_projector = geor(geor_home, "predict", str(tmp_path / "a.jpg"), "--model", str(lonely / "model.gguf"))
    assert no_projector.returncode == 1 and "no vision projector" in no_projector.stderr
    truncated = tmp_path / "trunc.gguf"
    truncated.write_bytes(tiny_vlm.model.read_bytes()[:5000])
    bad = geor(geor_home, "predict", str(tmp_path / "a.jpg"), "--model", str(truncated), "--mmproj", str(tiny_vlm.mmproj))
    assert bad.returncode == 1 and "trunc.gguf: the file ends inside its header" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_tag_with_model_places_what_time_cannot_and_resumes(tiny_vlm, geor_home, tmp_path):
    folder = tmp_path / "trip"
    folder.mkdir()
    t0 = dt.datetime(2024, 7, 14, 10, 0)
    make_photo(folder / "anchor.jpg", t0, gps=(43.45, 142.61))
    make_photo(folder / "near.jpg", t0 + dt.timedelta(minutes=2))  # placed by time, never asks the model
    make_photo(folder / "alone1.jpg", t0 + dt.timedelta(hours=5), size=(112, 112), seed=1)
    make_photo(folder / "alone2.jpg", t0 + dt.timedelta(hours=5, minutes=3), size=(112, 84), seed=2)
    before = (folder / "alone1.jpg").read_bytes()
    args = ("tag", str(folder), "--model", str(tiny_vlm.model), "--max-pixels", "12544")
    result = geor(geor_home, *args)
    assert result.returncode == 0, result.stderr
    assert "tagged by model" in result.stdout or "by model" in result.stdout
    from geor.engine.photos import read_metadata

    placed = read_metadata(folder / "alone1.jpg")
    assert placed.gps is not None and abs(placed.gps[0] - 43.588) < 1e-3
    assert (folder / "alone1.jpg").read_bytes() != before
    near = read_metadata(folder / "near.jpg")
    assert abs(near.gps[0] - 43.45) < 1e-3  # from its neighbour, not the model
    import csv

    report = {Path(r["path"]).name: r for r in csv.DictReader(next((geor_home / "jobs").glob("*-report.csv")).open())}
    assert report["alone1.jpg"]["source"] == report["alone2.jpg"]["source"] == "model"
    assert report["alone1.jpg"]["stage"] == "written"
    assert (report["alone1.jpg"]["lat"], report["alone1.jpg"]["lon"]) == (report["alone2.jpg"]["lat"], report["alone2.jpg"]["lon"])
    # the job store kept the model's answers: running again asks the model nothing
    import sqlite3

    store = next((geor_home / "jobs").glob("*.sqlite"))
    assert sqlite3.connect(store).execute("SELECT COUNT(*) FROM model_predictions").fetchone()[0] == 2


@pytest.mark.slow
def test_tag_asks_the_model_about_three_photos_of_a_scene_or_every_photo(tiny_vlm, geor_home, tmp_path):
    """The real model through llama.cpp: one scene of 8 alike shots and an unlike photo among them
    cost 3 + 1 questions, and every shot of the scene gets the pooled position; --per-scene 0 asks 9."""
    import sqlite3

    from ...helpers.photo_files import scene_pixels

    folder = tmp_path / "burst"
    folder.mkdir()
    t0 = dt.datetime(2024, 7, 14, 10, 0)
    for shot in range(8):
        make_photo(folder / f"falls_{shot}.jpg", t0 + dt.timedelta(seconds=15 * shot), pixels=scene_pixels(0, shot))
    make_photo(folder / "ticket.jpg", t0 + dt.timedelta(seconds=50), pixels=scene_pixels(3, 0))

    def questions(*extra):
        result = geor(geor_home, "tag", str(folder), "--model", str(tiny_vlm.model), "--max-pixels", "12544", "--dry-run", "--new-job", *extra)
        assert result.returncode == 0, result.stderr
        newest = max((geor_home / "jobs").glob("*.sqlite"), key=lambda p: p.stat().st_mtime_ns)
        with sqlite3.connect(newest) as db:
            evidence = dict(db.execute("SELECT relpath, evidence FROM photos").fetchall())
            return db.execute("SELECT COUNT(*) FROM model_predictions").fetchone()[0], {bytes(k).decode(): v for k, v in evidence.items()}

    asked, evidence = questions()
    assert asked == 4
    assert all("pooled over 3 of 8 photos of this scene" in evidence[f"falls_{shot}.jpg"] for shot in range(8))
    assert evidence["ticket.jpg"] == "model: Japan > Hokkaido > Biei"
    asked, evidence = questions("--per-scene", "0")
    assert asked == 9 and "pooled" not in "".join(evidence.values())
