import csv
import math

import pytest
from PIL import Image

from geor.training.samples import DatasetError, read_csv, read_photo_folder, read_source


def photo(path, colour=(200, 30, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 24), colour).save(path)
    return path


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_mp16_layout_skips_and_counts_bad_rows(tmp_path):
    images = tmp_path / "images"
    photo(images / "a/1.jpg")
    photo(images / "b/2.jpg")
    (images / "c").mkdir()
    (images / "c" / "3.jpg").write_bytes(b"not a jpeg at all")
    table = write_csv(tmp_path / "mp16.csv", ["IMG_ID", "AUTHOR", "LAT", "LON", "city"], [
        ["a/1.jpg", "x", "48.85", "2.35", "Paris"],
        ["b/2.jpg", "x", "95.0", "2.35", "?"],       # latitude out of range
        ["c/3.jpg", "x", "10", "10", "?"],           # corrupt image
        ["d/4.jpg", "x", "10", "10", "?"],           # missing image
        ["", "x", "10", "10", "?"],                  # no id
        ["b/2.jpg", "x", "", "abc", "?"],            # no position
    ])
    samples, report = read_csv(table, images)
    assert [(s.id, s.lat, s.lon) for s in samples] == [("a/1.jpg", 48.85, 2.35)]
    assert samples[0].image == images / "a/1.jpg"
    assert report.kept == 1
    assert report.skipped == {"rows without a valid position": 2, "unreadable images": 1, "missing images": 1, "rows without an image id": 1}
    assert "mp16.csv line 4 (c/3.jpg): unreadable images" in report.examples
    assert "skipped" in report.summary()


def test_osv5m_layout_finds_images_by_id_in_subfolders(tmp_path):
    images = tmp_path / "osv" / "images" / "test"
    photo(images / "00" / "111.jpg")
    photo(images / "03" / "222.jpg")
    table = write_csv(tmp_path / "test.csv", ["id", "latitude", "longitude", "country"], [
        ["111", "35.68", "139.69", "JP"], ["222", "-33.87", "151.21", "AU"], ["333", "1", "1", "XX"],
    ])
    samples, report = read_csv(table, tmp_path / "osv" / "images", layout="osv5m")
    assert [(s.id, s.image.name) for s in samples] == [("111", "111.jpg"), ("222", "222.jpg")]
    assert report.skipped == {"missing images": 1}


def test_named_layouts_and_clear_errors(tmp_path):
    images = tmp_path / "images"
    photo(images / "1.jpg")
    table = write_csv(tmp_path / "yfcc.csv", ["IMG_ID", "AUTHOR", "LAT", "LON"], [["1.jpg", "a", "1.5", "2.5"]])
    for layout in ("im2gps3k", "yfcc4k", "mp16-pro", None):
        samples, _ = read_csv(table, images, layout=layout)
        assert len(samples) == 1
    with pytest.raises(DatasetError, match="layout osv5m needs the column 'id'"):
        read_csv(table, images, layout="osv5m")
    with pytest.raises(DatasetError, match="unknown dataset layout 'flickr'"):
        read_csv(table, images, layout="flickr")
    with pytest.raises(DatasetError, match="no such file"):
        read_csv(tmp_path / "nope.csv", images)
    with pytest.raises(DatasetError, match="no such folder"):
        read_csv(table, tmp_path / "no-images")
    odd = write_csv(tmp_path / "odd.csv", ["file", "y", "x"], [["1.jpg", "1", "2"]])
    with pytest.raises(DatasetError, match="unknown layout"):
        read_csv(odd, images)
    with pytest.raises(DatasetError, match="either 'photos: FOLDER'"):
        read_source({"csv": str(table)})


def test_photo_folder_with_exif_gps(tmp_path):
    from geor.engine.photos import Location, PhotoWriter, WriteRequest

    library = tmp_path / "library"
    tagged = photo(library / "2024" / "tagged.jpg")
    with PhotoWriter() as writer:
        writer.write(WriteRequest(photo=tagged, location=Location(43.452, 142.615)))
    photo(library / "untagged.jpg")
    (library / "broken.jpg").write_bytes(b"\xff\xd8 truncated")
    samples, report = read_photo_folder(library)
    assert [(s.id, round(s.lat, 3), round(s.lon, 3)) for s in samples] == [("2024/tagged.jpg", 43.452, 142.615)]
    assert report.skipped["photos without GPS"] == 1
    assert report.skipped["unreadable photos"] + report.skipped.get("unreadable images", 0) == 1
    assert not math.isnan(samples[0].lat)
    with pytest.raises(DatasetError, match="no such folder"):
        read_photo_folder(tmp_path / "nowhere")
