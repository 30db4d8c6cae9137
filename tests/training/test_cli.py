import csv
import subprocess
import sys

import pytest

from geor.training.cli import main


def test_hard_samples_command_round_trip(tmp_path, capsys):
    images = tmp_path / "images"
    images.mkdir()
    rows = [  # id, truth, prediction
        ("paris.jpg", 48.8566, 2.3522, 48.86, 2.35),      # right
        ("versailles.jpg", 48.8049, 2.1204, 40.0, -3.0),  # wrong, near a right one
        ("lyon.jpg", 45.764, 4.8357, 40.0, -3.0),         # wrong: hard
        ("tokyo.jpg", 35.6895, 139.6917, "", ""),         # unparsed: hard
    ]
    predictions = tmp_path / "predictions.csv"
    with predictions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "image", "lat", "lon", "pred_lat", "pred_lon"])
        for ident, lat, lon, plat, plon in rows:
            writer.writerow([ident, images / ident, lat, lon, plat, plon])
    out = tmp_path / "hard.csv"
    assert main(["hard-samples", str(predictions), "--out", str(out)]) == 0
    assert "1 right, 3 wrong, 1 wrong ones dropped near a right one: wrote 2 hard samples" in capsys.readouterr().out
    with out.open() as handle:
        written = list(csv.DictReader(handle))
    assert [r["IMG_ID"] for r in written] == [str(images / "lyon.jpg"), str(images / "tokyo.jpg")]
    # the subset reads back as a training dataset from any image folder
    from PIL import Image

    from geor.training.samples import read_csv

    for name in ("lyon.jpg", "tokyo.jpg"):
        Image.new("RGB", (8, 8)).save(images / name)
    samples, report = read_csv(out, tmp_path)
    assert [s.image.name for s in samples] == ["lyon.jpg", "tokyo.jpg"] and report.kept == 2


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    assert main(["sft", str(tmp_path / "missing.yaml")]) == 1
    assert "geor-train sft: error:" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["hard-samples", str(bad), "--out", str(tmp_path / "x.csv")]) == 1
    assert "no column 'id'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["grpo"])
    assert exit_.value.code == 2


def test_launch_prints_commands(capsys):
    from importlib.resources import files

    config = files("geor.training") / "configs" / "qwen2.5-vl-3b-grpo-vllm.yaml"
    assert main(["launch", "grpo", str(config), "--scale", "multi-gpu", "--gpus", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("env CUDA_VISIBLE_DEVICES=3 trl vllm-serve --model ")
    assert lines[1].startswith("env CUDA_VISIBLE_DEVICES=0,1,2 accelerate launch --config_file ")


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "geor.training.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("sft", "grpo", "eval", "hard-samples", "launch", "synthetic"):
        assert command in result.stdout
