"""The placement rules: where a photo was, from the user's own data, as pure functions of the
photos' times, positions and looks (no job store, no files but the tracks and privacy zones they
read). Camera clocks (clocks, bursts, clock_offsets), the interpolation policy and its radii
(policy), the anchors and the same scenes (anchors, scenes), tracks (tracks), the plausibility
checks and privacy zones, and the sources' shared types (sources). The job (engine.pipeline) runs
them over its store; they never import it.

The names below are loaded on first use (PEP 562): ``geor --help`` and the option declarations
(policy.PlacementPolicy) need none of the NumPy rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geor.engine.lazy_faces import lazy_attributes

if TYPE_CHECKING:
    from .anchors import AnchorSource
    from .clock_offsets import format_offset, parse_clock_offset, parse_clock_overrides, parse_utc_offset
    from .clocks import CameraClock, ClockPhoto, camera_key, infer_clocks
    from .plausibility import Placed, implausible
    from .policy import DEFAULT_ANCHOR_RADIUS_M, PlacementPolicy, distance_m
    from .privacy import (
        MODES,
        PrivacyError,
        PrivacyOptions,
        PrivacyRules,
        PrivacyZone,
        load_rules,
        parse_zone,
        rules_for_writing,
        save_rules,
    )
    from .scenes import Scene, group_scenes, stored_fingerprints
    from .sources import FACT_SOURCES, TIME_BASED_SOURCES, Decision, LocationSource, PhotoRecord, Source
    from .tracks import Fix, Track, TrackError, TrackRead, read_track_file, read_tracks

_HOMES = {
    ".anchors": ["AnchorSource"],
    ".clock_offsets": ["format_offset", "parse_clock_offset", "parse_clock_overrides", "parse_utc_offset"],
    ".clocks": ["CameraClock", "ClockPhoto", "camera_key", "infer_clocks"],
    ".plausibility": ["Placed", "implausible"],
    ".policy": ["DEFAULT_ANCHOR_RADIUS_M", "PlacementPolicy", "distance_m"],
    ".privacy": ["MODES", "PrivacyError", "PrivacyRules", "PrivacyZone", "load_rules", "parse_zone", "rules_for_writing", "PrivacyOptions",
                 "save_rules"],
    ".scenes": ["Scene", "group_scenes", "stored_fingerprints"],
    ".sources": ["FACT_SOURCES", "TIME_BASED_SOURCES", "Decision", "LocationSource", "PhotoRecord", "Source"],
    ".tracks": ["Fix", "Track", "TrackError", "TrackRead", "read_track_file", "read_tracks"],
}
__all__ = [
    "AnchorSource",
    "CameraClock",
    "ClockPhoto",
    "DEFAULT_ANCHOR_RADIUS_M",
    "Decision",
    "FACT_SOURCES",
    "Fix",
    "LocationSource",
    "MODES",
    "PhotoRecord",
    "Placed",
    "PlacementPolicy",
    "PrivacyError",
    "PrivacyOptions",
    "PrivacyRules",
    "PrivacyZone",
    "Scene",
    "Source",
    "TIME_BASED_SOURCES",
    "Track",
    "TrackError",
    "TrackRead",
    "camera_key",
    "distance_m",
    "format_offset",
    "group_scenes",
    "implausible",
    "infer_clocks",
    "load_rules",
    "parse_clock_offset",
    "parse_clock_overrides",
    "parse_utc_offset",
    "parse_zone",
    "read_track_file",
    "read_tracks",
    "rules_for_writing",
    "save_rules",
    "stored_fingerprints",
]


__getattr__ = lazy_attributes(__name__, _HOMES, globals())
