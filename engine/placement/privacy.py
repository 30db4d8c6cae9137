"""Privacy zones: circles (home, a shelter, a source's address) inside which Geo-R never writes a
position exactly. A position inside one is coarsened (rounded to ``decimals`` decimal degrees: 2 is
about 1 km, 1 about 10 km) or omitted (nothing written), with place names kept or dropped.

The zones live in the user's config (``privacy.json`` in ``engine.paths.user_config_dir()``), shared
by the CLI (which adds ``--privacy-zone LAT,LON,RADIUS_M`` for one run) and the desktop settings.
They apply where positions are written (pipeline.write_stage), whatever placed them; the job's own
report, in the user's data folder, keeps the exact positions."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.atomic import atomic_text_writer
from geor.engine.errors import BadOption
from geor.engine.options import option
from geor.engine.paths import user_config_dir

from .policy import distance_m

MODES = ("coarsen", "omit")


class PrivacyError(BadOption):
    """A zone or a privacy setting that cannot be read; the message names it."""


@dataclass(frozen=True)
class PrivacyZone:
    lat: float
    lon: float
    radius_m: float
    name: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90 and math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise PrivacyError(f"privacy zone {self.text()!r}: ({self.lat}, {self.lon}) is not a position")
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise PrivacyError(f"privacy zone {self.text()!r}: the radius must be a number of metres above 0")

    def contains(self, lat: float, lon: float) -> bool:
        return distance_m(self.lat, self.lon, lat, lon) <= self.radius_m

    def text(self) -> str:
        return f"{self.lat:g},{self.lon:g},{self.radius_m:g}" + (f",{self.name}" if self.name else "")

    def label(self) -> str:
        return f"'{self.name}'" if self.name else f"around {self.lat:.4f}, {self.lon:.4f}"


def parse_zone(text: str) -> PrivacyZone:
    """``LAT,LON,RADIUS_M`` or ``LAT,LON,RADIUS_M,NAME``."""
    parts = [p.strip() for p in text.split(",", 3)]
    try:
        if len(parts) < 3:
            raise ValueError
        lat, lon, radius = float(parts[0]), float(parts[1]), float(parts[2])
    except ValueError:
        raise PrivacyError(f"privacy zone {text!r}: expected LAT,LON,RADIUS_M (and a name), e.g. 48.8566,2.3522,500,home") from None
    return PrivacyZone(lat, lon, radius, parts[3] if len(parts) > 3 else "")


@dataclass(frozen=True)
class PrivacyRules:
    zones: tuple[PrivacyZone, ...] = ()
    mode: str = "coarsen"
    decimals: int = 2
    names: bool = True  # write place names (city, state, country) for a position inside a zone

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PrivacyError(f"privacy mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not 0 <= self.decimals <= 4:
            raise PrivacyError(f"privacy precision must be 0 to 4 decimal degrees, not {self.decimals}")

    def zone_of(self, lat: float, lon: float) -> PrivacyZone | None:
        return next((z for z in self.zones if z.contains(lat, lon)), None)

    def coarsen(self, lat: float, lon: float) -> tuple[float, float]:
        return round(lat, self.decimals), round(lon, self.decimals)

    def describe(self) -> str:
        if self.mode == "omit":
            return "not written"
        step_km = 111.32 * 10 ** -self.decimals
        return f"rounded to {self.decimals} decimals (about {step_km:,.1f} km)" + ("" if self.names else ", place names left out")


def config_path() -> Path:
    return user_config_dir() / "privacy.json"


def load_rules(path: Path | None = None) -> PrivacyRules:
    """The user's saved zones and settings (none saved: no zones)."""
    path = path or config_path()
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PrivacyRules()
    except (OSError, ValueError) as exc:
        raise PrivacyError(f"{path}: the privacy settings cannot be read ({exc}); fix or remove the file") from None
    try:
        zones = tuple(PrivacyZone(float(z["lat"]), float(z["lon"]), float(z["radius_m"]), str(z.get("name", "")))
                      for z in data.get("zones", []))
        return PrivacyRules(zones, str(data.get("mode", "coarsen")), int(data.get("decimals", 2)), bool(data.get("names", True)))
    except (KeyError, TypeError, ValueError) as exc:
        raise PrivacyError(f"{path}: a privacy zone lacks lat, lon or radius_m ({exc}); fix or remove the file") from None


def save_rules(rules: PrivacyRules, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_writer(path) as out:
        json.dump({"zones": [asdict(z) for z in rules.zones], "mode": rules.mode, "decimals": rules.decimals, "names": rules.names},
                  out, indent=1, ensure_ascii=False)
    return path


@dataclass(frozen=True, kw_only=True)
class PrivacyOptions:
    """A job's privacy settings as the user gave them (None: the saved setting), or, once resolved
    against the saved rules (``resolved``), as the job records them."""

    zones: tuple[str, ...] = field(default=(), metadata=option(
        "never write a position inside this circle exactly (repeat for several; a name may follow)", flag="--privacy-zone",
        metavar="LAT,LON,RADIUS_M"))
    mode: str | None = field(default=None, metadata=option(
        "inside a zone: round the position (coarsen) or write none (omit); default: the saved setting, else coarsen", flag="--privacy",
        choices=MODES))
    decimals: int | None = field(default=None, metadata=option(
        "coarsen to this many decimal degrees (2: about 1 km); default: the saved setting, else 2", flag="--privacy-decimals"))
    names: bool | None = field(default=None, metadata=option(
        "write place names for positions inside a zone; default: the saved setting, else yes", flag="--privacy-names"))

    def resolved(self, saved: PrivacyRules) -> PrivacyOptions:
        """The saved zones and these (each checked), the saved settings where none is given."""
        zones = tuple(z.text() for z in saved.zones) + tuple(parse_zone(z).text() for z in self.zones)
        return PrivacyOptions(zones=zones, mode=self.mode or saved.mode, decimals=saved.decimals if self.decimals is None else self.decimals,
                              names=saved.names if self.names is None else self.names)

    def rules(self) -> PrivacyRules:
        """The rules these (resolved) settings make."""
        return PrivacyRules(tuple(parse_zone(z) for z in self.zones), self.mode or "coarsen", 2 if self.decimals is None else self.decimals,
                            True if self.names is None else self.names)


def rules_for_writing(recorded: PrivacyRules) -> PrivacyRules:
    """What a write obeys: the zones the job recorded and every zone saved since (a zone added
    after a job ran still protects the review's write), by the stricter of the two settings."""
    saved = load_rules()
    if not saved.zones:
        return recorded
    if not recorded.zones:
        return saved
    zones = recorded.zones + tuple(z for z in saved.zones if z not in recorded.zones)
    mode = "omit" if "omit" in (recorded.mode, saved.mode) else "coarsen"
    return PrivacyRules(zones, mode, min(recorded.decimals, saved.decimals), recorded.names and saved.names)
