import numpy as np
import pytest

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.pack_format import PackFormatError, StringTable, read_pack, write_pack


def test_round_trip_and_memory_mapping(tmp_path):
    path = tmp_path / "t.georpack"
    blob, offsets = StringTable.encode(["Genève", "", "北海道"])
    write_pack(path, {"a": np.arange(10, dtype=np.int32), "xy": np.ones((3, 2)), "s_blob": blob, "s_off": offsets}, {"source": "test"})
    pack = read_pack(path)
    assert pack.meta == {"source": "test"}
    assert pack.arrays["a"].tolist() == list(range(10)) and pack.arrays["xy"].shape == (3, 2)
    assert not pack.arrays["a"].flags.writeable  # a read-only view of the mapped file
    assert StringTable(pack.arrays["s_blob"], pack.arrays["s_off"]).to_list() == ["Genève", "", "北海道"]
    pack.verify()
    assert not list(tmp_path.glob(".*tmp*"))  # no temp file left behind


def test_objects_cannot_be_stored(tmp_path):
    with pytest.raises(TypeError, match="cannot be stored"):
        write_pack(tmp_path / "x", {"bad": np.array([object()], dtype=object)}, {})
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"", "too short"),
        (lambda data: b"PK\x03\x04" + data[4:], "wrong magic"),
        (lambda data: data[:40], "runs past the end|truncated"),
        (lambda data: data[:-100], "runs past the end"),
        (lambda data: data[:16] + b"{not json" + data[25:], "not valid JSON"),
    ],
)
def test_damaged_files_are_refused_with_the_file_named(tmp_path, synthetic_pack, damage, message):
    broken = tmp_path / "broken.georpack"
    broken.write_bytes(damage(synthetic_pack.read_bytes()))
    with pytest.raises(PackFormatError, match=message) as info:
        Geocoder(broken)
    assert "broken.georpack" in str(info.value)


def test_flipped_bits_are_caught_by_verify(tmp_path, synthetic_pack):
    data = bytearray(synthetic_pack.read_bytes())
    data[-10] ^= 0xFF
    broken = tmp_path / "flipped.georpack"
    broken.write_bytes(bytes(data))
    with pytest.raises(PackFormatError, match="checksum"):
        read_pack(broken).verify()


def test_missing_and_folder(tmp_path):
    with pytest.raises(PackFormatError, match="no such region pack"):
        read_pack(tmp_path / "nope.georpack")
    with pytest.raises(PackFormatError, match="is a folder"):
        read_pack(tmp_path)
