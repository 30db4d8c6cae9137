"""Positions written into real devices' videos in place (tests/engine/photos/videos): the readers
find them (Debian's ExifTool, FFmpeg through PyAV: what ffprobe, Apple Photos' Keys and Android's
(c)xyz readers see), every audio and video packet is byte for byte the same (FFmpeg's demuxer, not
ExifTool, says so), the undo patch is kilobytes and gives back every byte."""

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from geor.engine.photos import Location, PhotoWriteError, PhotoWriter, WriteRequest, restore_original, target_for

from ...helpers.photo_files import EXIFTOOL
from ...helpers.video_files import packets_sha256

av = pytest.importorskip("av")
pytestmark = pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")
VIDEOS = Path(__file__).parent / "videos"
HERE = Location(lat=46.0207631, lon=7.7491301, altitude_m=1620.5)  # Zermatt


def oracle(path: Path) -> dict:
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-G1", "-Keys:GPSCoordinates", "-UserData:GPSCoordinates", "-XMP-exif:GPSLatitude",
                          "-XMP-exif:GPSLongitude", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


@pytest.mark.parametrize(("name", "has_position"), [("mde-iphone6-gps.mov", True), ("mde-android6-gps.mp4", True),
                                                     ("gpmf-gopro-max.mp4", True)])
def test_a_video_takes_the_position_the_readers_find_and_nothing_else_changes(tmp_path, name, has_position):
    video = tmp_path / name
    shutil.copy(VIDEOS / name, video)
    original = video.read_bytes()
    packets = packets_sha256(video)
    assert packets[1] > 0
    with PhotoWriter() as writer:
        if has_position:  # a position of its own is never replaced without --overwrite
            with pytest.raises(PhotoWriteError, match="already has a GPS position"):
                writer.write(WriteRequest(photo=video, location=HERE))
            assert video.read_bytes() == original
        result = writer.write(WriteRequest(photo=video, location=HERE, overwrite=True))
    assert result.target == video and not result.created
    found = oracle(video)
    for key in ("Keys:GPSCoordinates", "UserData:GPSCoordinates"):
        lat, lon, alt = (float(v) for v in str(found[key]).split())
        assert (lat, lon, alt) == pytest.approx((HERE.lat, HERE.lon, HERE.altitude_m), abs=1e-6)
    assert (found["XMP-exif:GPSLatitude"], found["XMP-exif:GPSLongitude"]) == pytest.approx((HERE.lat, HERE.lon), abs=1e-6)
    with av.open(str(video)) as container:  # FFmpeg's movie metadata: what ffprobe prints
        tags = container.metadata
    iso6709 = tags.get("com.apple.quicktime.location.ISO6709") or tags.get("location")
    assert iso6709 and iso6709.startswith("+46.0207631+007.7491301"), tags
    assert packets_sha256(video) == packets  # every packet the same bytes
    assert len(result.restore) < 64 * 1024 < len(original)  # the undo patch holds the metadata, not the media
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


def test_a_video_without_media_data_is_not_rewritten_and_gets_a_sidecar(tmp_path):
    """ExifTool's test MOV has a movie header and no media data: nothing proves the media kept, so it
    is not rewritten. It was a failed row (exit status 3, '--sidecar records the position beside
    it'); like a HEIF photo whose rewrite is not proven, it now gets the sidecar, with the reason."""
    video = tmp_path / "IMGP0001.MOV"
    shutil.copy(VIDEOS / "exiftool-pentax.mov", video)
    original = video.read_bytes()
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=HERE))
    assert video.read_bytes() == original
    assert result.created and result.target == tmp_path / "IMGP0001.xmp"
    assert any(note.startswith("in a sidecar: in place,") and "media data" in note for note in result.notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IMGP0001.MOV", "IMGP0001.xmp"]  # no temporary file left
    found = oracle(tmp_path / "IMGP0001.xmp")
    assert (found["XMP-exif:GPSLatitude"], found["XMP-exif:GPSLongitude"]) == pytest.approx((HERE.lat, HERE.lon), abs=1e-6)


def test_a_cut_video_is_refused_untouched(tmp_path):
    """A real phone video whose media data ends early: ExifTool will not rewrite it (a chunk offset
    outside its media data). A damaged file, as a damaged JPEG: refused, nothing put beside it."""
    video = tmp_path / "VID.mp4"
    shutil.copy(VIDEOS / "jcodec-android7-gps.mp4", video)
    original = video.read_bytes()
    with PhotoWriter() as writer, pytest.raises(PhotoWriteError, match="ExifTool will not rewrite it .*original untouched"):
        writer.write(WriteRequest(photo=video, location=HERE, overwrite=True))
    assert video.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["VID.mp4"]


def test_a_video_with_its_own_position_is_refused_rather_than_given_a_sidecar(tmp_path):
    """The MOV without media data, with a position of its own (ExifTool put one in its Keys): asked
    to replace it (--overwrite), Geo-R cannot prove a rewrite, and a sidecar beside the video would
    hold a second position that disagrees with the one every reader of the video finds: refused."""
    video = tmp_path / "IMGP0001.MOV"
    shutil.copy(VIDEOS / "exiftool-pentax.mov", video)
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", "-Keys:GPSCoordinates=51.5007, -0.1246, 12", str(video)], check=True)
    assert oracle(video).get("Keys:GPSCoordinates")
    original = video.read_bytes()
    with PhotoWriter() as writer, pytest.raises(PhotoWriteError, match="original untouched"):
        writer.write(WriteRequest(photo=video, location=HERE, overwrite=True))
    assert video.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["IMGP0001.MOV"]


def test_avchd_and_asked_for_sidecars_go_beside_the_video(tmp_path):
    assert target_for(tmp_path / "C0001.MTS", sidecar=False) == tmp_path / "C0001.xmp"
    assert target_for(tmp_path / "GX010001.MP4", sidecar=False) == tmp_path / "GX010001.MP4"
    assert target_for(tmp_path / "GX010001.MP4", sidecar=True) == tmp_path / "GX010001.xmp"


def test_undo_refuses_a_video_changed_since(tmp_path):
    video = tmp_path / "IMG.MOV"
    shutil.copy(VIDEOS / "mde-iphone6-gps.mov", video)
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=HERE, overwrite=True))
    with open(video, "ab") as handle:
        handle.write(b"edited")
    with pytest.raises(PhotoWriteError, match="changed since"):
        restore_original(video, result.sha256, result.restore, result.original_sha256)


NAMED = Location(lat=46.0207631, lon=7.7491301, city="Zermatt", state="Valais", country="Switzerland", country_code="CH",
                 country_code3="CHE")


def names(path: Path) -> dict:
    out = subprocess.run([EXIFTOOL, "-j", "-G1", "-XMP-photoshop:City", "-XMP-photoshop:State", "-XMP-photoshop:Country",
                          "-XMP-iptcCore:CountryCode", str(path)], capture_output=True, text=True, check=True)
    return {k: v for k, v in json.loads(out.stdout)[0].items() if k != "SourceFile"}


def test_place_names_go_into_a_videos_xmp_and_undo_takes_them_back(tmp_path):
    """Lightroom's and digiKam's location fields read the video's XMP, as for photos; the media
    packets stay the same and undo gives back every byte."""
    video = tmp_path / "VID_20170222.mp4"
    shutil.copy(VIDEOS / "mde-android6-gps.mp4", video)
    original, packets = video.read_bytes(), packets_sha256(video)
    assert names(video) == {}
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=NAMED, overwrite=True))
    assert names(video) == {"XMP-photoshop:City": "Zermatt", "XMP-photoshop:State": "Valais", "XMP-photoshop:Country": "Switzerland",
                            "XMP-iptcCore:CountryCode": "CH"}
    assert result.new["XMP-photoshop:City"] == "Zermatt" and result.notes == ()
    assert packets_sha256(video) == packets
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


def test_a_video_that_names_its_place_keeps_its_names(tmp_path):
    video = tmp_path / "IMG_0001.MOV"
    subprocess.run([EXIFTOOL, "-q", "-XMP-photoshop:City=Täsch", "-o", str(video), str(VIDEOS / "mde-iphone6-gps.mov")], check=True)
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=NAMED, overwrite=False, own_position=True))
    assert names(video) == {"XMP-photoshop:City": "Täsch"}  # a name someone gave is not replaced without --overwrite
    assert any("place names kept" in note for note in result.notes)
    assert oracle(video)["XMP-exif:GPSLatitude"] == pytest.approx(NAMED.lat, abs=1e-6)


def test_a_3gpp_location_is_a_position_of_its_own_and_an_overwrite_leaves_no_trace_of_it(tmp_path):
    """A video whose only position is 3GPP's loci box already has one (never replaced without
    --overwrite); with --overwrite the box goes, so no reader finds the old place beside the new."""
    video = tmp_path / "VID.mp4"
    shutil.copy(VIDEOS / "mde-3gpp-loci.mp4", video)
    original, packets = video.read_bytes(), packets_sha256(video)
    with PhotoWriter() as writer:
        with pytest.raises(PhotoWriteError, match="already has a GPS position"):
            writer.write(WriteRequest(photo=video, location=HERE))
        assert video.read_bytes() == original
        result = writer.write(WriteRequest(photo=video, location=HERE, overwrite=True))
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-G1", "-UserData:LocationInformation", "-Composite:GPSLatitude", str(video)],
                         capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)[0]
    assert "UserData:LocationInformation" not in found and found["Composite:GPSLatitude"] == pytest.approx(HERE.lat, abs=1e-6)
    assert oracle(video)["XMP-exif:GPSLatitude"] == pytest.approx(HERE.lat, abs=1e-6)
    assert packets_sha256(video) == packets
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


@pytest.mark.parametrize(("name", "had"), [
    # an iPhone records its fix's precision beside the position (iOS 13 and later: com.apple.quicktime.location.accuracy.horizontal)
    ("mde-iphone6-gps.mov", ["-Keys:LocationAccuracyHorizontal=65"]),
    # an iTunes-style item list's position (udta/meta/ilst/©xyz) beside FFmpeg's box, as some apps write it
    ("mp4parser-ffmpeg-itunes-box.mp4", ["-ItemList:GPSCoordinates#=-33.8568 151.2153"]),
])
def test_an_overwrite_leaves_nothing_of_the_videos_old_position(tmp_path, name, had):
    """--overwrite left an item list's old position beside the new one (a reader of ©xyz found the
    old place) and an iPhone's "65 m" beside a position placed from a track. Now the item list holds
    the new position, the old precision and an altitude the new position lacks are gone, every
    packet the same, undo exact. (The real videos, given what their apps write by the independent
    ExifTool.)"""
    video = tmp_path / name
    shutil.copy(VIDEOS / name, video)
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", *had, str(video)], check=True)
    original, packets = video.read_bytes(), packets_sha256(video)
    here = Location(lat=HERE.lat, lon=HERE.lon)  # no altitude: the old one (the iPhone's 28.5 m) must go
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=here, overwrite=True))
    assert result.target == video
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-a", "-G1", "-GPSCoordinates", "-LocationAccuracyHorizontal", "-GPSAltitude", str(video)],
                         capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)[0]
    positions = {key: value for key, value in found.items() if key.endswith("GPSCoordinates")}
    assert len(positions) >= 2 + (name.endswith(".mp4"))
    for key, value in positions.items():
        assert [float(v) for v in str(value).split()] == pytest.approx([here.lat, here.lon], abs=1e-6), key
    assert not any(key.endswith(("LocationAccuracyHorizontal", "GPSAltitude")) for key in found), found
    assert packets_sha256(video) == packets
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


#: What a video's write may add (its position, the handler of the new Keys box) or drop: QuickTime's
#: empty ``wide`` box (8 bytes reserved for a 64-bit media header, nothing in it) goes when ExifTool moves the movie box.
VIDEO_WRITE = {"Keys:GPSCoordinates", "UserData:GPSCoordinates", "QuickTime:HandlerType", "QuickTime:Wide"}


@pytest.mark.parametrize("name", ["mde-after-effects-xmp.mov", "mde-adobe-xmp-uuid.mp4"])
def test_a_videos_own_xmp_packet_keeps_its_signature_and_everything_else(tmp_path, name):
    """Issue 25's class 6 on videos: Adobe's XMP packets (a MOV's udta and an MP4's uuid box) take
    the position and the names, and keep their own x:xmptk; ExifTool would sign them as its own."""
    from ...helpers import exiftool_oracle

    video = tmp_path / name
    shutil.copy(VIDEOS / name, video)
    original, packets = video.read_bytes(), packets_sha256(video)
    before = exiftool_oracle.dump(video)
    assert exiftool_oracle.values(before, "XMP-x:XMPToolkit") == ["Adobe XMP Core 5.6-c148 79.164036, 2019/08/13-01:06:57        "]
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=NAMED))
    after = exiftool_oracle.dump(video)
    assert [line for line in exiftool_oracle.damage(before, after) if line.split(": ", 1)[0] not in VIDEO_WRITE] == []
    assert exiftool_oracle.values(after, "XMP-x:XMPToolkit") == exiftool_oracle.values(before, "XMP-x:XMPToolkit")
    assert names(video)["XMP-photoshop:City"] == "Zermatt" and oracle(video)["XMP-exif:GPSLatitude"] == pytest.approx(NAMED.lat, abs=1e-6)
    assert packets_sha256(video) == packets
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


def test_an_mp4_with_an_itunes_style_box_is_written_in_place_beside_it(tmp_path):
    """FFmpeg writes every MP4 with an iTunes-style metadata box (udta/meta, handler 'mdir', its
    encoder's name in it), as iTunes and Metaxed do; the position's Keys box declares a handler of
    its own ('mdta') beside it. Written in place, where the rewrite check called the second handler
    a change and the video got a sidecar: the independent ExifTool finds nothing else changed (every
    handler before kept, the new one added), FFmpeg reads the encoder's name and the position, every
    packet is the same bytes, and undo gives back every byte."""
    from ...helpers import exiftool_oracle

    video = tmp_path / "ffmpeg.mp4"
    shutil.copy(VIDEOS / "mp4parser-ffmpeg-itunes-box.mp4", video)
    original, packets, before = video.read_bytes(), packets_sha256(video), exiftool_oracle.dump(video)
    assert list(before["QuickTime:HandlerType"]) == ['"Metadata"']  # the 'mdir' box, as FFmpeg made it
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=HERE))
    assert result.target == video and not result.created
    after = exiftool_oracle.dump(video)
    assert exiftool_oracle.damage(before, after) == []
    assert after["QuickTime:HandlerType"] == before["QuickTime:HandlerType"] + Counter(['"Metadata Tags"'])
    with av.open(str(video)) as container:
        tags = container.metadata
    assert tags["encoder"] == "Lavf53.24.0" and tags["com.apple.quicktime.location.ISO6709"].startswith("+46.0207631+007.7491301")
    assert packets_sha256(video) == packets
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original


def test_a_video_with_an_empty_second_media_data_box_is_written_in_place(tmp_path):
    """An iTunes tagger's MP4 (Metaxed) holds its media data box and a second, empty one after the
    movie header. ExifTool names the media data of the last box it met, the empty one, so the video
    got a sidecar ("ExifTool finds no media data in it"); the largest box is the media data, and
    every other byte is in the undo patch. In place, nothing else changed, undo exact."""
    from ...helpers import exiftool_oracle

    video = tmp_path / "tagged.mp4"
    shutil.copy(VIDEOS / "mp4parser-metaxed-empty-mdat.mp4", video)
    original, packets, before = video.read_bytes(), packets_sha256(video), exiftool_oracle.dump(video)
    assert sorted(before["QuickTime:MediaDataSize"]) == ["0", "183873"]
    with PhotoWriter() as writer:
        result = writer.write(WriteRequest(photo=video, location=HERE))
    assert result.target == video and not result.created, result.notes
    assert exiftool_oracle.damage(before, exiftool_oracle.dump(video)) == []
    assert packets_sha256(video) == packets and len(result.restore) < 64 * 1024
    restore_original(video, result.sha256, result.restore, result.original_sha256)
    assert video.read_bytes() == original
