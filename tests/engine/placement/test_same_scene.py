"""A photo that looks like another device's GPS photo taken moments apart shows the same scene and
takes its position (anchors.Scenes), with a radius of the scene's reach plus walking pace over the
longest the moments may be apart; photos alike to many, of the same device, or too far apart in
time are no evidence. Records only: no files, no job."""

import datetime as dt
from pathlib import Path

import pytest

from geor.engine.placement.anchors import SCENE_REACH_M, SCENE_WINDOW_S, AnchorSource, Scenes
from geor.engine.placement.policy import DEFAULT_ANCHOR_RADIUS_M, WALKING_M_PER_S
from geor.engine.placement.scenes import fingerprint, telling
from geor.engine.placement.sources import PhotoRecord

T0 = dt.datetime(2025, 5, 3, 10, 0, tzinfo=dt.UTC)
LOOK = 0x9F3A_61C4_0B7E_D215
PHONE, CAMERA = "Apple iPhone 15 Pro", "NIKON Z 6 6012345"


def record(photo_id: int, camera: str, seconds: float, *, look: int | None = LOOK, gps: tuple[float, float] | None = None,
           strength: str = "strong", uncertainty_s: float = 60.0) -> PhotoRecord:
    moment = T0 + dt.timedelta(seconds=seconds)
    return PhotoRecord(id=photo_id, path=Path(f"{camera[:5]}_{photo_id}.jpg"), taken_at=moment.replace(tzinfo=None), utc_offset=None,
                       camera=camera, gps=(*gps, None) if gps else None, utc=moment, clock_strength="exact" if gps else strength,
                       clock_uncertainty_s=0.0 if gps else uncertainty_s, look=look)


def flipped(look: int, bits: int) -> int:
    return look ^ ((1 << bits) - 1)


def test_a_camera_photo_of_the_phones_scene_takes_its_position_with_the_scenes_radius():
    phone = record(1, PHONE, 0, gps=(35.0116, 135.7681))
    camera = record(2, CAMERA, 40, look=flipped(LOOK, 12))
    found = Scenes.of([phone, camera]).place(camera)
    assert found is not None
    assert (found.lat, found.lon) == (35.0116, 135.7681)
    assert found.radius_m == pytest.approx(DEFAULT_ANCHOR_RADIUS_M + SCENE_REACH_M + WALKING_M_PER_S * (40 + 60))
    assert found.note.startswith("looks like Apple_1.jpg (Apple iPhone 15 Pro), 40 s apart: the same scene")


@pytest.mark.parametrize(("why", "camera"), [
    ("another scene", record(2, CAMERA, 40, look=flipped(LOOK, 30))),
    ("moments further apart than the window and the clock allow", record(2, CAMERA, SCENE_WINDOW_S + 60 + 30)),
    ("no look taken", record(2, CAMERA, 40, look=None)),
])
def test_no_scene_evidence(why, camera):
    assert Scenes.of([record(1, PHONE, 0, gps=(35.0, 135.0)), camera]).place(camera) is None, why


def test_a_photo_alike_to_many_tells_no_place():
    phones = [record(k, PHONE, 10 * k, gps=(35.0 + k / 1000, 135.0)) for k in range(1, 7)]  # six alike: a wall, the sky
    camera = record(99, CAMERA, 30)
    assert Scenes.of([*phones, camera]).place(camera) is None


def test_the_same_devices_photos_are_not_its_evidence():
    other = record(1, CAMERA, 0, gps=(35.0, 135.0))
    camera = record(2, CAMERA, 40)
    assert Scenes.of([other, camera]).place(camera) is None


def test_the_scene_places_a_photo_at_a_stops_edge_that_the_timeline_cannot():
    """Arrived at a stop 20 km from the last one: the camera photo 3 minutes before the phone's first
    photo there may have been taken on the road (the timeline's radius reaches km), but it shows what
    the phone photographed: written at the stop."""
    earlier = record(1, PHONE, -1800, look=flipped(LOOK, 40), gps=(35.20, 135.70))
    arrived = record(2, PHONE, 0, gps=(35.0116, 135.7681))
    later = record(3, PHONE, 900, look=flipped(LOOK, 48), gps=(35.0117, 135.7682))
    camera = record(4, CAMERA, -180, look=flipped(LOOK, 10))
    decisions = AnchorSource().locate([earlier, arrived, later, camera])
    assert decisions[4].radius_m is not None and decisions[4].radius_m < 1000
    assert (decisions[4].lat, decisions[4].lon) == (35.0116, 135.7681)
    assert "the same scene" in decisions[4].note
    without = AnchorSource().locate([earlier, arrived, later, record(4, CAMERA, -180, look=flipped(LOOK, 40))])
    assert without[4].radius_m is not None and without[4].radius_m > 1000  # the timeline alone: it may have been on the road


def test_a_weak_clock_takes_no_scene_evidence():
    phone = record(1, PHONE, 0, gps=(35.0, 135.0))
    camera = record(2, CAMERA, 40, strength="weak")
    decisions = AnchorSource().locate([phone, camera])
    assert 2 not in decisions or "the same scene" not in decisions[2].note


def test_flat_pictures_look_like_every_other_and_are_no_evidence():
    """Real files: ExifTool's tiny blank test JPEGs hash to (almost) no bits set, so two of them,
    taken anywhere, would look alike; a real photo's hash sets 32."""
    corpus = Path(__file__).parents[2] / "engine" / "photos" / "corpus"
    flat = [fingerprint(corpus / name) for name in ("exiftool-Canon.jpg", "exiftool-Nikon.jpg")]
    assert all(look is not None and not telling(look) for look in flat)
    assert telling(fingerprint(Path(__file__).parents[3] / "samples" / "photos" / "IMG_0001.jpg"))
    phone = record(1, PHONE, 0, gps=(35.0, 135.0), look=flat[0])
    camera = record(2, CAMERA, 20, look=flat[1])
    assert Scenes.of([phone, camera]).place(camera) is None


def test_a_cameras_own_placed_photos_place_the_frames_between_them():
    """The time between two photos of one camera is exact whatever its clock's offset: a frame shot
    between one placed by its scene at a stop's edge and one placed inside the stop is at that stop,
    though the timeline alone says it may have been on the road; a frame before the camera's first
    placed photo stays a proposal (when the user arrived nothing says)."""
    earlier = record(1, PHONE, -1800, look=flipped(LOOK, 40), gps=(35.20, 135.70))
    arrived = record(2, PHONE, 0, gps=(35.0116, 135.7681))
    later = record(3, PHONE, 900, look=flipped(LOOK, 48), gps=(35.0117, 135.7682))
    edge = record(4, CAMERA, -180, look=flipped(LOOK, 10))  # the phone's scene: placed by it
    between = record(5, CAMERA, -120, look=flipped(LOOK, 36))
    inside = record(6, CAMERA, 300, look=flipped(LOOK, 44))
    before = record(7, CAMERA, -240, look=flipped(LOOK, 52))
    photos = [earlier, arrived, later, edge, between, inside, before]
    decisions = AnchorSource().locate(photos)
    placed = decisions[5]
    assert placed.radius_m is not None and placed.radius_m < 1000 and not placed.review
    assert abs(placed.lat - 35.0116) < 2e-4 and abs(placed.lon - 135.7681) < 2e-4
    assert "(placed)" in placed.note and "the same place" in placed.note
    assert decisions[7].radius_m is not None and decisions[7].radius_m > 1000
    alone = AnchorSource().locate([earlier, arrived, later, between, inside, before])  # no scene: no firm photo before it
    assert alone[5].radius_m is not None and alone[5].radius_m > 1000
