"""The ``geor`` command as a user runs it: installed console script, real processes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def geor(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    assert exe, "the geor console script is not installed next to this Python"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)


def test_version():
    from geor.engine import __version__

    result = geor("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"geor {__version__}"


def test_distance():
    result = geor("distance", "46.2044", "6.1432", "48.8566", "2.3522")
    assert result.returncode == 0 and result.stdout.strip() == "409.757 km"
    result = geor("distance", "-33.8688", "151.2093", "51.5074", "-0.1278", "--json")
    assert json.loads(result.stdout)["km"] == pytest.approx(16993.9, abs=1.0)


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("distance", "91", "0", "0", "0"), 1, "latitude is 91.0"),
        (("distance", "north", "0", "0", "0"), 2, "'north' is not a number"),
        (("distance", "nan", "0", "0", "0"), 2, "'nan' is not a number"),
        (("distance", "1", "2"), 2, "required"),
        (("frobnicate",), 2, "invalid choice"),
        (("evaluate", "/no/such/file.csv"), 1, "/no/such/file.csv: no such file"),
    ],
)
def test_errors_are_one_line_and_non_zero(args, code, needle):
    result = geor(*args)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_prints_help():
    result = geor()
    assert result.returncode == 2 and "distance" in result.stderr


def test_evaluate_the_shipped_samples():
    result = geor("evaluate", str(SAMPLES / "predictions.csv"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["count"] == 32 and report["unparsed"] == 4
    assert sum(report["parse_failures"].values()) == 4
    assert 0 < report["acc_1km"] < report["acc_25km"] <= report["acc_2500km"] < 1
    table = geor("evaluate", str(SAMPLES / "predictions.csv"))
    assert "25 km (city)" in table.stdout and "GeoScore" in table.stdout


def test_geor_export_is_installed_and_names_a_missing_checkpoint(tmp_path):
    exe = shutil.which("geor-export", path=str(Path(sys.executable).parent))
    assert exe
    result = subprocess.run([exe, str(tmp_path / "model"), "--quant", "q4"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"geor-export: error: {tmp_path / 'model'}: no such folder"
