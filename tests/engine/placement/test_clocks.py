"""Camera clocks: each piece of evidence on its own (GPS times, OffsetTime tags, other devices'
bursts, a track's coverage, the user's word), how they combine and contradict, and clock changes."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from geor.engine.placement.clock_offsets import ClockOffsetError, format_offset, names_camera, parse_clock_offset
from geor.engine.placement.clocks import ClockPhoto, camera_key, infer_clocks
from geor.engine.placement.tracks import Fix, Track

DAY0 = dt.datetime(2024, 7, 14, tzinfo=dt.UTC).timestamp()
PHONE, CAMERA = "Apple iPhone 12 Pro", "NIKON CORPORATION NIKON Z 6 3012345"
ZONE = 2 * 3600.0  # the phone's time zone: +02:00


def trip(seed=0, days=3, stops=5, phone_shots=3, camera_shots=6, camera_offset=3600 + 3 * 60 + 27, stop_s=1200):
    """Stops where both devices shoot at random moments; the phone in local time (+02:00) with tags
    and GPS times, the camera on home time and a few minutes off, with nothing but its clock."""
    rng = np.random.default_rng(seed)
    photos, serial = [], 0
    for day in range(days):
        for start in np.sort(rng.uniform(8 * 3600, 18 * 3600, stops)):
            base = DAY0 + day * 86400 + start
            for t in base + rng.uniform(0, stop_s, phone_shots):
                serial += 1
                photos.append(ClockPhoto(serial, PHONE, f"IMG_{serial:04d}.HEIC", t + ZONE, ZONE, t - rng.uniform(0, 5), (45.8, 14.3)))
            for t in base + rng.uniform(0, stop_s, camera_shots):
                serial += 1
                photos.append(ClockPhoto(serial, CAMERA, f"DSC_{serial:04d}.NEF", t + camera_offset))
    return photos


def test_the_camera_clock_is_inferred_from_co_occurring_bursts():
    clocks = infer_clocks(trip())
    phone, camera = clocks[PHONE], clocks[CAMERA]
    assert phone.strength == "exact" and phone.offset_s == ZONE and "GPS time of 45 of its photos confirms" in phone.evidence
    # random moments within 20-minute stops pin the offset only to the minutes the bootstrap over bursts measures
    assert camera.strength in ("strong", "bounded") and camera.source == "bursts" and camera.trusted == (camera.strength == "strong")
    assert abs(camera.offset_s - (3600 + 3 * 60 + 27)) <= camera.uncertainty_s <= 20 * 60
    assert f"co-occurring bursts with {PHONE}" in camera.evidence and camera.describe().startswith("+1:0")
    assert "+- " in camera.describe()


def test_switched_off_inference_leaves_the_camera_unknown_then_tz_sets_it():
    assert infer_clocks(trip(), infer=False)[CAMERA].strength == "unknown"
    clock = infer_clocks(trip(), infer=False, default_offset=3600.0)[CAMERA]
    assert (clock.strength, clock.offset_s, clock.source) == ("set", 3600.0, "tz")


def test_tz_means_what_the_user_typed_and_a_disagreeing_guess_is_only_reported():
    """One stop: too little for the bursts to be sure (weak), and the weak guess (about +1:03) is
    minutes from --tz +01:00. The clock is --tz to the second; the guess is said, never applied."""
    photos = trip(days=1, stops=2)
    guess = infer_clocks(photos)[CAMERA]
    assert guess.strength == "weak" and abs(guess.offset_s - 3600) > 60
    clock = infer_clocks(photos, default_offset=3600.0)[CAMERA]
    assert (clock.strength, clock.source, clock.offset_s, clock.uncertainty_s) == ("set", "tz", 3600.0, 0.0)
    assert {s.offset_s for s in clock.segments} == {3600.0} and not clock.per_photo
    assert "not applied" in clock.evidence and f"suggest {format_offset(guess.offset_s)}" in clock.evidence
    assert all(clock.offset_for(p) == (3600.0, "set") for p in photos if p.camera == CAMERA)


def test_too_little_evidence_is_weak_or_nothing():
    one_stop = trip(days=1, stops=1)
    clock = infer_clocks(one_stop)[CAMERA]
    assert clock.strength in ("weak", "unknown") and not clock.trusted
    lone = [ClockPhoto(1, PHONE, "a.heic", DAY0 + ZONE, ZONE), ClockPhoto(2, CAMERA, "b.nef", DAY0 + 5000)]
    assert infer_clocks(lone)[CAMERA].strength == "unknown"


def test_the_phone_crossing_a_time_zone_keeps_the_camera_right():
    """The phone's own tags change mid-trip (+02:00 -> +03:00); the camera stays on home time."""
    photos = []
    for p in trip(days=4):
        if p.camera == PHONE and p.local - ZONE > DAY0 + 2 * 86400:
            p = ClockPhoto(p.id, p.camera, p.name, p.local + 3600, ZONE + 3600, p.gps_time, p.position)
        photos.append(p)
    clocks = infer_clocks(photos)
    assert clocks[PHONE].per_photo and set(clocks[PHONE].per_photo.values()) == {ZONE, ZONE + 3600}
    camera = clocks[CAMERA]
    assert camera.strength in ("strong", "bounded") and abs(camera.offset_s - 3807) <= camera.uncertainty_s


def test_a_clock_changed_mid_trip_gives_two_segments_and_weak_photos_between():
    """The user set the camera to local time (+1 h) on the third day: a clock jump."""
    photos = []
    for p in trip(days=6, stops=6):
        if p.camera == CAMERA and p.local > DAY0 + 3 * 86400:
            p = ClockPhoto(p.id, p.camera, p.name, p.local + 3600)
        photos.append(p)
    clock = infer_clocks(photos)[CAMERA]
    assert len(clock.segments) == 2 and "the clock was changed" in clock.evidence
    first, second = clock.segments
    assert first.offset_s == pytest.approx(3807, abs=300) and second.offset_s == pytest.approx(3807 + 3600, abs=300)
    between = ClockPhoto(999, CAMERA, "x.nef", (first.last + second.first) / 2)
    assert clock.offset_for(between)[1] == "weak"
    inside = ClockPhoto(998, CAMERA, "y.nef", second.first + 1)
    assert clock.offset_for(inside) == (second.offset_s, second.strength)


def test_gps_times_give_the_exact_offset_and_a_stale_fix_is_ignored():
    """A camera with a GPS unit (Ricoh-like): its clock is 1:01:24 ahead of UTC; one fix was stale."""
    photos = [ClockPhoto(i, CAMERA, f"R{i}.JPG", DAY0 + 600 * i + 3684, None, DAY0 + 600 * i, (42.0, -0.5)) for i in range(6)]
    photos[3] = ClockPhoto(3, CAMERA, "R3.JPG", DAY0 + 1800 + 3684, None, DAY0 + 1800 - 2400, (42.0, -0.5))
    clock = infer_clocks(photos)[CAMERA]
    assert (clock.strength, clock.source, clock.offset_s) == ("exact", "gps-time", 3684) and len(clock.segments) == 1


def test_a_gps_time_copied_from_the_camera_time_is_not_evidence():
    """Death Valley (UTC-7) with a GPS time equal to the camera's time to the second: written by
    a program from the local time, not by a receiver (exiv2's FurnaceCreekInn.jpg is such a file)."""
    photos = [ClockPhoto(1, CAMERA, "f.jpg", DAY0 + 36000, None, DAY0 + 36000, (36.45, -116.86))]
    clock = infer_clocks(photos)[CAMERA]
    assert clock.strength == "unknown" and "copied by a program" in clock.evidence


def test_a_gps_time_years_from_the_clock_is_a_clock_only_when_a_run_of_photos_says_so():
    """metadata-extractor's img_1771 (a Canon PowerShot S40 of 2003) converted to a PNG that a phone
    app geotagged in 2018 (exifr's fixtures): its GPS time is 14.6 years after its clock, which made
    the camera's clock 'exact' at -128090 hours and put its photos on the 2018 phone's timeline. One
    photo, or a few seconds apart (a program's batch), is no clock; a run over an hour is (a camera
    reset to its factory date, with a GPS unit)."""
    taken, added = dt.datetime(2003, 12, 14, 12, 1, 44, tzinfo=dt.UTC).timestamp(), dt.datetime(2018, 7, 25, 14, 34, 23, tzinfo=dt.UTC).timestamp()
    one = [ClockPhoto(1, CAMERA, "img_1771.png", taken, None, added, (50.3, 14.8)), ClockPhoto(2, CAMERA, "img_1771.jpg", taken + 1)]
    clock = infer_clocks(one, default_offset=0.0)[CAMERA]
    assert (clock.strength, clock.source) == ("set", "tz") and "14.6 years after its clock" in clock.evidence
    batch = [ClockPhoto(i, CAMERA, f"b{i}.jpg", taken + 20 * i, None, added + i, (50.3, 14.8)) for i in range(4)]
    assert infer_clocks(batch)[CAMERA].strength == "unknown"
    reset = dt.datetime(2000, 1, 1, tzinfo=dt.UTC).timestamp()
    run = [ClockPhoto(i, CAMERA, f"r{i}.jpg", reset + 900 * i, None, DAY0 + 900 * i + 3, (42.0, -0.5)) for i in range(5)]
    clock = infer_clocks(run)[CAMERA]
    assert (clock.strength, clock.source, clock.offset_s) == ("exact", "gps-time", reset - DAY0 - 3)


def test_photos_without_a_camera_model_do_not_lend_each_other_their_gps_times():
    """immich's test assets: a Canon photo whose EXIF lost its make and model (the serial is only in
    XMP) carries a GPS time; its GPS time made the clock of every model-less photo of the folder
    'exact' at -5:59:49, a test image of 2023 among them. Photos of no known camera may come from
    anywhere: what one says of its clock covers its own time only; the others are for review."""
    anonymous = camera_key(None, b"trip/scan.jpg")
    photos = [ClockPhoto(1, anonymous, "thompson-springs.jpg", DAY0 + 54944, None, DAY0 + 54944 + 21589, (39.1, -108.4)),
              ClockPhoto(2, anonymous, "date-priority-test.jpg", DAY0 - 200 * 86400 + 7200)]
    clock = infer_clocks(photos)[anonymous]
    assert clock.offset_for(photos[0]) == (-21589, "exact")
    assert clock.offset_for(photos[1]) == (-21589, "weak") and "1 photo outside the times those span" in clock.evidence
    typed = infer_clocks(photos, default_offset=0.0)[anonymous]  # --tz: the clock of the photos nothing tells about
    assert typed.offset_for(photos[0]) == (-21589, "exact") and typed.offset_for(photos[1]) == (0.0, "set")
    assert "1 photo outside the times those span may be of another device (no camera model): --tz +0:00, as you set it" in typed.evidence
    camera = [replace(p, camera=CAMERA) for p in photos]  # a camera's clock is one clock: it reaches all its photos
    assert infer_clocks(camera)[CAMERA].offset_for(camera[1]) == (-21589, "exact")



def test_a_zone_tag_of_a_photo_without_a_camera_model_speaks_for_that_photo_only():
    """metadata-extractor-images: a folder of files without make or model, some carrying OffsetTime
    or an XMP date with its zone (+1:00, +0:00, -4:00), others only a ModifyDate. The zoneless ones
    took the zone of the tagged files around them in time ('declared' when both neighbours agreed),
    even with --tz typed: another device's tag said what their clock was. Now a zone tag is its own
    photo's only; the others take --tz as typed, or are weak for review."""
    anonymous = camera_key(None, b"exports/a.jpg")
    photos = [ClockPhoto(1, anonymous, "edited.jpg", DAY0, 9 * 3600.0), ClockPhoto(2, anonymous, "scan.tif", DAY0 + 3600, weak_time=True),
              ClockPhoto(3, anonymous, "export.jpg", DAY0 + 7200), ClockPhoto(4, anonymous, "edited2.jpg", DAY0 + 10800, 9 * 3600.0)]
    clock = infer_clocks(photos)[anonymous]
    assert clock.offset_for(photos[0]) == (9 * 3600.0, "declared")
    assert clock.offset_for(photos[2]) == (9 * 3600.0, "weak") and "2 photos without a zone of their own" in clock.evidence
    typed = infer_clocks(photos, default_offset=0.0)[anonymous]
    assert [typed.offset_for(p) for p in photos] == [(9 * 3600.0, "declared"), (0.0, "set"), (0.0, "set"), (9 * 3600.0, "declared")]
    assert "2 photos without a zone of their own may be of another device (no camera model): --tz +0:00, as you set it" in typed.evidence
    camera = [replace(p, camera=CAMERA) for p in photos]  # one camera's zone is its clock's: it reaches all its photos
    assert infer_clocks(camera, default_offset=0.0)[CAMERA].offset_for(camera[2]) == (9 * 3600.0, "declared")
    # a photo that tells its own clock keeps it: a GPS time agreeing with the zones, a zone on a time
    # that is no evidence (ModifyDate); where GPS times confirm the zones, the others are named too
    fixed = [replace(p, gps_time=p.local - 9 * 3600.0, position=(35.0, 135.7)) if p.id in (1, 3, 4) else p for p in photos]
    fixed[1] = replace(fixed[1], tag_offset=9 * 3600.0)
    confirmed = infer_clocks(fixed, default_offset=0.0)[anonymous]
    assert [confirmed.offset_for(p) for p in fixed] == [(9 * 3600.0, "exact"), (9 * 3600.0, "declared"), (9 * 3600.0, "exact"),
                                                         (9 * 3600.0, "exact")]
    lone = [replace(p, gps_time=None, position=None) if p.id == 3 else p for p in fixed]
    alone = infer_clocks(lone, default_offset=0.0)[anonymous]
    assert alone.offset_for(lone[2]) == (0.0, "set") and "confirms" in alone.evidence
    assert "1 photo without a zone of its own may be of another device (no camera model): --tz +0:00, as you set it" in alone.evidence

def test_tags_and_gps_times_agreeing_drifting_and_contradicting():
    def photos(gps_lag):
        return [ClockPhoto(i, CAMERA, f"d{i}.jpg", DAY0 + 900 * i + ZONE, ZONE, DAY0 + 900 * i - gps_lag, (45.8, 14.3)) for i in range(5)]

    agree = infer_clocks(photos(20))[CAMERA]  # a 20 s stale fix: the tags stand, confirmed
    assert (agree.source, agree.offset_s) == ("offset-tags", ZONE) and "confirms" in agree.evidence
    drift = infer_clocks(photos(-192))[CAMERA]  # the clock is 3 min 12 s slow against its zone: GPS time wins
    assert (drift.source, drift.strength, drift.offset_s) == ("gps-time", "exact", ZONE - 192) and "drifted" in drift.evidence
    contra = infer_clocks(photos(-3 * 3600))[CAMERA]  # tags say +02:00, GPS times say +5:00
    assert contra.strength == "weak" and contra.evidence.startswith("contradictory") and not contra.trusted


def test_bursts_contradicting_a_cameras_own_tags_make_it_weak():
    photos = [p if p.camera == PHONE else ClockPhoto(p.id, p.camera, p.name, p.local, -5 * 3600.0) for p in trip()]
    clock = infer_clocks(photos)[CAMERA]  # it says UTC-5, its shots line up with the phone at +1:03:27
    assert clock.strength == "weak" and clock.evidence.startswith("contradictory")
    assert clock.offset_s == pytest.approx(3807, abs=300)


def test_a_track_alone_suggests_an_offset_for_review():
    """No other device, but a logger that recorded only while the user was out shooting."""
    fixes, photos = [], []
    for day in range(3):
        start = DAY0 + day * 86400 + 9 * 3600
        fixes += [Fix(start + s, 45.8, 14.3) for s in range(0, 3 * 3600, 30)]
        photos += [ClockPhoto(day * 100 + k, CAMERA, "c.nef", start + 1800 + k * 300 + ZONE) for k in range(20)]
    clock = infer_clocks(photos, track=Track(fixes))[CAMERA]
    assert clock.strength == "weak" and clock.source == "track" and clock.offset_s == pytest.approx(ZONE, abs=3600)
    assert not infer_clocks(photos, track=Track(fixes), infer=False)[CAMERA].segments


def test_the_users_word_wins_and_names_one_camera():
    clock = infer_clocks(trip(), overrides={"NIKON Z 6": 3600.0})[CAMERA]
    assert (clock.strength, clock.offset_s) == ("set", 3600.0) and "--clock 'NIKON Z 6'" in clock.evidence
    with pytest.raises(ClockOffsetError, match="no camera of that name"):
        infer_clocks(trip(), overrides={"Canon": 0.0})
    two = trip() + [ClockPhoto(5000, "NIKON CORPORATION NIKON Z 6 999", "z.nef", DAY0)]
    with pytest.raises(ClockOffsetError, match="names 2 cameras"):
        infer_clocks(two, overrides={"NIKON Z 6": 0.0})


def test_offsets_and_names_as_users_type_them():
    assert parse_clock_offset("+01:03:27") == dt.timedelta(hours=1, minutes=3, seconds=27)
    assert parse_clock_offset("-5") == dt.timedelta(hours=-5) and parse_clock_offset("+0:00:45").total_seconds() == 45
    for bad in ("1:00", "+1:75", "+27:00", "soon"):
        with pytest.raises(ClockOffsetError):
            parse_clock_offset(bad)
    assert format_offset(3807) == "+1:03:27" and format_offset(-18000) == "-5:00" and format_offset(45) == "+0:00:45"
    assert names_camera("NIKON Z 6", CAMERA) and names_camera("nikon z 6 3012345", CAMERA)
    assert not names_camera("NIKON Z 6", "NIKON CORPORATION NIKON Z 6_2") and not names_camera("Z 7", CAMERA)


VIDEO_DEVICE = "NIKON Z 6 (video clock)"


def camera_with_videos(video_reading: str, error_s: float = 207.0) -> list[ClockPhoto]:
    """A camera on +02:00 and 3 min 27 s fast, its photos declared by their OffsetTime tags (its
    own clock, error included); every third file is a video whose CreateDate is ``local`` (the
    camera's clock) or ``utc`` (its clock less its zone setting, as QuickTime says), shot 20 s after
    the photo before it."""
    photos = []
    for i in range(12):
        utc = DAY0 + 9 * 3600 + i * 600  # a file every 10 minutes
        clock = utc + ZONE + error_s
        name = f"DSC_{i + 1:04d}"
        if i % 3 == 1:
            reading = clock + 20 if video_reading == "local" else clock + 20 - ZONE
            photos.append(ClockPhoto(100 + i, VIDEO_DEVICE, f"{name}.MOV", reading))
        else:
            photos.append(ClockPhoto(100 + i, CAMERA, f"{name}.JPG", clock, tag_offset=ZONE + error_s))
    return photos


@pytest.mark.parametrize(("reading", "offset", "words"), [("local", ZONE + 207, "the camera's local time"), ("utc", 207, "UTC")])
def test_a_cameras_videos_take_its_clock_by_the_order_of_file_names(reading, offset, words):
    """Whether a camera writes its videos' CreateDate in local time or in UTC is found per camera:
    the reading that puts every video between the photos shot before and after it by file name
    (QuickTime's camera name ``NIKON Z 6`` beside EXIF's ``NIKON CORPORATION NIKON Z 6 3012345``)."""
    clocks = infer_clocks(camera_with_videos(reading))
    videos = clocks[VIDEO_DEVICE]
    assert videos.source == "file-order" and videos.offset_s == offset, videos.describe()
    assert clocks[CAMERA].strength == "declared" and videos.strength == "strong"  # a reading chosen, not declared
    assert f"its CreateDate is {words}: 4 of its videos fit between {CAMERA}'s photos by file name" in videos.evidence


def test_videos_whose_times_fit_no_reading_are_not_put_on_the_cameras_clock():
    photos = [p if p.camera != VIDEO_DEVICE else ClockPhoto(p.id, p.camera, p.name, p.local + 5 * 3600) for p in camera_with_videos("local")]
    videos = infer_clocks(photos)[VIDEO_DEVICE]
    assert videos.source != "file-order" and videos.strength in ("unknown", "weak")
