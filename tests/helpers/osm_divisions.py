"""An independent first-level division for points in the timezones that lie inside one division (or
a known few), from OpenStreetMap's borders as the timezone polygons carry them: Australia's states,
the US states with zones of their own (Arizona, Hawaii, Michigan, Indiana, Kentucky, North Dakota,
Alaska), Canadian provinces and territories, Brazilian, Mexican and Argentine states and Russian
regions with zones of their own. A zone's area follows the division's border wherever the zone stops
at it, so agreement there measures the pack's first-level borders. Codes are ISO 3166-2."""

from __future__ import annotations

import numpy as np

ZONE_DIVISIONS: dict[str, frozenset[str]] = {zone: frozenset(codes.split()) for zone, codes in {
    "Australia/Melbourne": "AU-VIC", "Australia/Brisbane": "AU-QLD", "Australia/Lindeman": "AU-QLD",
    "Australia/Adelaide": "AU-SA", "Australia/Darwin": "AU-NT", "Australia/Perth": "AU-WA", "Australia/Hobart": "AU-TAS",
    "Australia/Broken_Hill": "AU-NSW", "Australia/Sydney": "AU-NSW AU-ACT",
    "America/Phoenix": "US-AZ", "Pacific/Honolulu": "US-HI", "America/Detroit": "US-MI", "America/Menominee": "US-MI",
    "America/Indiana/Indianapolis": "US-IN", "America/Indiana/Knox": "US-IN", "America/Indiana/Marengo": "US-IN",
    "America/Indiana/Petersburg": "US-IN", "America/Indiana/Tell_City": "US-IN", "America/Indiana/Vevay": "US-IN",
    "America/Indiana/Vincennes": "US-IN", "America/Indiana/Winamac": "US-IN",
    "America/Kentucky/Louisville": "US-KY", "America/Kentucky/Monticello": "US-KY",
    "America/North_Dakota/Center": "US-ND", "America/North_Dakota/New_Salem": "US-ND", "America/North_Dakota/Beulah": "US-ND",
    "America/Anchorage": "US-AK", "America/Juneau": "US-AK", "America/Sitka": "US-AK", "America/Nome": "US-AK",
    "America/Yakutat": "US-AK", "America/Metlakatla": "US-AK", "America/Adak": "US-AK",
    "America/Regina": "CA-SK", "America/Swift_Current": "CA-SK", "America/Whitehorse": "CA-YT", "America/Dawson": "CA-YT",
    "America/St_Johns": "CA-NL", "America/Goose_Bay": "CA-NL", "America/Moncton": "CA-NB", "America/Halifax": "CA-NS CA-PE",
    "America/Vancouver": "CA-BC", "America/Iqaluit": "CA-NU", "America/Rankin_Inlet": "CA-NU", "America/Cambridge_Bay": "CA-NU",
    "America/Inuvik": "CA-NT", "America/Yellowknife": "CA-NT",
    "America/Rio_Branco": "BR-AC", "America/Porto_Velho": "BR-RO", "America/Boa_Vista": "BR-RR", "America/Campo_Grande": "BR-MS",
    "America/Cuiaba": "BR-MT", "America/Araguaina": "BR-TO", "America/Bahia": "BR-BA", "America/Recife": "BR-PE",
    "America/Noronha": "BR-PE", "America/Manaus": "BR-AM", "America/Eirunepe": "BR-AM", "America/Santarem": "BR-PA",
    "America/Belem": "BR-PA BR-AP", "America/Maceio": "BR-AL BR-SE",
    "America/Cancun": "MX-ROO", "America/Hermosillo": "MX-SON", "America/Tijuana": "MX-BCN", "America/Chihuahua": "MX-CHH",
    "America/Ciudad_Juarez": "MX-CHH", "America/Ojinaga": "MX-CHH", "America/Merida": "MX-YUC MX-CAM",
    "America/Argentina/Jujuy": "AR-Y", "America/Argentina/Tucuman": "AR-T", "America/Argentina/La_Rioja": "AR-F",
    "America/Argentina/San_Juan": "AR-J", "America/Argentina/Mendoza": "AR-M", "America/Argentina/San_Luis": "AR-D",
    "America/Argentina/Rio_Gallegos": "AR-Z", "America/Argentina/Ushuaia": "AR-V",
    "Europe/Kaliningrad": "RU-KGD", "Europe/Ulyanovsk": "RU-ULY", "Europe/Saratov": "RU-SAR", "Europe/Astrakhan": "RU-AST",
    "Europe/Volgograd": "RU-VGG", "Europe/Kirov": "RU-KIR", "Asia/Omsk": "RU-OMS", "Asia/Novosibirsk": "RU-NVS",
    "Asia/Tomsk": "RU-TOM", "Asia/Novokuznetsk": "RU-KEM", "Asia/Barnaul": "RU-ALT RU-AL", "Asia/Chita": "RU-ZAB",
    "Asia/Magadan": "RU-MAG", "Asia/Sakhalin": "RU-SAK", "Asia/Kamchatka": "RU-KAM", "Asia/Anadyr": "RU-CHU",
}.items()}


def osm_divisions(lat: np.ndarray, lon: np.ndarray) -> list[frozenset[str]]:
    """The ISO 3166-2 codes the point's timezone allows; empty outside the zones listed above."""
    from .osm_countries import _finder

    finder = _finder()
    return [ZONE_DIVISIONS.get(finder.timezone_at(lng=float(x), lat=float(y)) or "", frozenset())
            for y, x in zip(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64), strict=True)]
