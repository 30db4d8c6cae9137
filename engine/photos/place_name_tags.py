"""Place names (city, state, country) as Geo-R writes them: what goes into IPTC IIM and XMP, in
which character set, and when nothing is written at all.

- Names a person (or another program) already put into the photo are kept unless the user asks
  to overwrite: any city, state, country, sub-location or location structure in IPTC or XMP.
- IPTC IIM: UTF-8 with ``CodedCharacterSet`` whenever a value is not ASCII, unless the block
  already holds non-ASCII text without declaring its character set (old cameras' and editors'
  Latin-1, some programs' UTF-8): declaring UTF-8 then would change how every reader shows the
  text already there, and a name written undeclared is read differently by different programs
  (ExifTool takes such bytes for Latin, others for UTF-8), so a non-ASCII name is not written
  there at all (ASCII names are): it is in XMP, and the report says so. Values are cut to the IIM
  limits (32 bytes for city and state, 64 for the country, 3 for its code) on a character
  boundary; the full names go to XMP.
- ``IPTCDigest`` (Photoshop's "XMP is in sync with IPTC" mark): when it was current, IPTC is only
  changed together with XMP and the digest is renewed; a stale digest is left as it was. Where
  IPTC names would make the digest stale (a file with a digest and no IPTC record, as Photoshop
  saves some), and the file holds no IPTC name that XMP names would then contradict, the names go
  into XMP alone.

The writer tries the choices in order and keeps the first whose rewrite changes nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .exiftool import TagDump
from .gps_tags import Location

#: Location field -> IPTC IIM tag (ExifTool name) and its length limit in bytes.
IPTC_NAMES = {
    "city": ("City", 32),
    "state": ("Province-State", 32),
    "country": ("Country-PrimaryLocationName", 64),
    "country_code3": ("Country-PrimaryLocationCode", 3),
}
#: Location field -> XMP tag (ExifTool group:name).
XMP_NAMES = {
    "city": "XMP-photoshop:City",
    "state": "XMP-photoshop:State",
    "country": "XMP-photoshop:Country",
    "country_code": "XMP-iptcCore:CountryCode",
}
#: Every tag Geo-R may write a name into.
NAME_TAGS = frozenset({*(f"IPTC:{tag}" for tag, _ in IPTC_NAMES.values()), *XMP_NAMES.values()})
#: Tags that mean "this photo already names its place" (IPTC groups may be numbered: IPTC2...).
EXISTING_IPTC = ("City", "Province-State", "Country-PrimaryLocationName", "Country-PrimaryLocationCode", "Sub-location")
EXISTING_XMP = (*XMP_NAMES.values(), "XMP-iptcCore:Location")
#: ... and the IPTC Extension's location structures, as ExifTool flattens them (LocationCreatedCity, ...).
EXISTING_XMP_PREFIXES = ("XMP-iptcExt:LocationCreated", "XMP-iptcExt:LocationShown")
#: Names of the old place that Geo-R does not write itself, removed where --overwrite replaces the names (a sub-location
#: of Paris beside Reykjavík's names would put the photo in both): the legacy sub-location, and the IPTC Extension's
#: place where the photo was taken. (LocationShown, what the photo shows, stays: it need not be where it was taken.)
OLD_IPTC = ("Sub-location",)
OLD_XMP = ("XMP-iptcCore:Location",)
OLD_XMP_STRUCTURE = "XMP-iptcExt:LocationCreated"


@dataclass(frozen=True)
class NameChoice:
    """One way of writing the names: ExifTool arguments, the tags they set, and notes for the report."""

    args: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()  # "IPTC:City", "XMP-photoshop:City", ... (what the rewrite check allows to change)
    notes: tuple[str, ...] = ()
    iptc: bool = False
    xmp: bool = False
    expected: tuple[tuple[str, str], ...] = ()  # (tag, value as ExifTool will read it back)
    removed: tuple[str, ...] = ()  # names of the old place this choice removes (none may read back)


@dataclass
class _Iptc:
    args: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)


def iptc_groups(existing: TagDump) -> Iterator[tuple[str, Any]]:
    """(tag name, value) of every IPTC IIM entry, whatever its record (IPTC, IPTC2, ...)."""
    for key, value in existing.entries:
        group, _, name = key.partition(":")
        if group.rstrip("0123456789") == "IPTC":
            yield name, value


def names_present(existing: TagDump) -> bool:
    if _iptc_names(existing):
        return True
    return any(_filled(value) for key, value in existing.entries if key in EXISTING_XMP or key.startswith(EXISTING_XMP_PREFIXES))


def _iptc_names(existing: TagDump) -> bool:
    return any(_filled(value) for name, value in iptc_groups(existing) if name in EXISTING_IPTC)


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def name_choices(existing: TagDump, location: Location, iptc_capable: bool, overwrite: bool) -> list[NameChoice]:
    """The ways to write ``location``'s names into a file whose current metadata is ``existing``
    (empty for a new sidecar), best first; the last writes none."""
    # one line each: a name typed with a line break (or a tab) is written with a space
    wanted = {f: " ".join(str(getattr(location, f)).split()) for f in {*IPTC_NAMES, *XMP_NAMES} if getattr(location, f)}
    wanted = {f: v for f, v in wanted.items() if v}
    if names_present(existing) and not overwrite and wanted:
        return [NameChoice(notes=("place names kept: the photo already names its place (--overwrite replaces them)",))]
    old_iptc, old_xmp = _old_names(existing, wanted, iptc_capable) if overwrite else (_Removal(), _Removal())
    if not wanted:
        if not (old_iptc.args or old_xmp.args):
            return [NameChoice()]
        return [old_iptc.then(old_xmp).choice(_digest_renewal(existing, old_iptc), ("old place names removed: the new position has none",)),
                NameChoice(notes=("old place names kept: removing them would have changed other metadata of this photo",))]
    xmp_args = tuple(f"-{tag}={wanted[f]}" for f, tag in XMP_NAMES.items() if f in wanted)
    xmp_tags = frozenset(tag for f, tag in XMP_NAMES.items() if f in wanted)
    xmp_expected = tuple((tag, wanted[f]) for f, tag in XMP_NAMES.items() if f in wanted)
    choices = []
    iptc = _iptc(existing, wanted, overwrite) if iptc_capable else None
    digest_current = _digest_current(existing)
    if iptc and iptc.args:
        digest = ("-Photoshop:IPTCDigest=new",) if digest_current else ()
        choices.append(NameChoice((*iptc.args, *old_iptc.args, *xmp_args, *old_xmp.args, *digest),
                                  frozenset(iptc.tags | old_iptc.tags | xmp_tags | old_xmp.tags | ({"Photoshop:IPTCDigest"} if digest else set())),
                                  tuple(iptc.notes), iptc=True, xmp=True, expected=(*iptc.expected, *xmp_expected),
                                  removed=(*old_iptc.removed, *old_xmp.removed)))
        if not digest_current:
            choices.append(NameChoice((*iptc.args, *old_iptc.args), frozenset(iptc.tags | old_iptc.tags),
                                      (*iptc.notes, "place names in IPTC only: the photo's XMP is left exactly as it was"), iptc=True,
                                      expected=tuple(iptc.expected), removed=old_iptc.removed))
        if xmp_args and not _iptc_names(existing):  # (an IPTC name left beside new XMP ones would contradict them)
            choices.append(NameChoice((*xmp_args, *old_xmp.args), xmp_tags | old_xmp.tags,
                                      ("place names in XMP only: writing them into IPTC too would have changed other metadata of this photo",),
                                      xmp=True, expected=xmp_expected, removed=old_xmp.removed))
    else:
        removal = old_iptc.then(old_xmp)
        choices.append(NameChoice((*xmp_args, *removal.args), xmp_tags | removal.tags, tuple(iptc.notes) if iptc else (),
                                  iptc=bool(old_iptc.args), xmp=True, expected=xmp_expected, removed=removal.removed))
    old = _old_place(existing) if overwrite else ""
    choices.append(NameChoice(notes=("place names not written: writing them would have changed other metadata of this photo"
                                     + (f"; it still names the place it had ({old})" if old else ""),)))
    return choices


def _old_place(existing: TagDump) -> str:
    """The names of the place a photo already names, as the report shows them ("Fotostudio HS, Mainz")."""
    names: list[str] = []
    for key in (*OLD_XMP, *XMP_NAMES.values(), *(f"IPTC:{tag}" for tag in (*OLD_IPTC, *(tag for tag, _ in IPTC_NAMES.values())))):
        value = existing.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in names and key != "XMP-iptcCore:CountryCode":
            names.append(value.strip())
    return ", ".join(names[:4])


def names_readback(choice: NameChoice, after: TagDump) -> list[str]:
    """Each place name must read back as written (ExifTool skips a block it finds faulty, such as
    an XMP packet with duplicate properties, and writes the rest), and no name of the old place it removes."""
    return ([f"{tag} reads back as {after.get(tag)!r}, not {value!r}" for tag, value in choice.expected if str(after.get(tag)) != value]
            + [f"{tag} still reads {after.get(tag)!r}" for tag in choice.removed if _filled(after.get(tag))])


@dataclass(frozen=True)
class _Removal:
    """ExifTool arguments that remove names of the old place, the tags they change, the tags that must be gone."""

    args: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    removed: tuple[str, ...] = ()

    def then(self, other: _Removal) -> _Removal:
        return _Removal((*self.args, *other.args), self.tags | other.tags, (*self.removed, *other.removed))

    def choice(self, digest: tuple[str, ...], notes: tuple[str, ...]) -> NameChoice:
        return NameChoice((*self.args, *digest), self.tags | ({"Photoshop:IPTCDigest"} if digest else set()), notes,
                          iptc=any(tag.startswith("IPTC:") for tag in self.tags), xmp=any(tag.startswith("XMP-") for tag in self.tags),
                          removed=self.removed)


def _old_names(existing: TagDump, wanted: dict[str, str], iptc_capable: bool) -> tuple[_Removal, _Removal]:
    """What --overwrite removes of the old place's names (IPTC, XMP): the names Geo-R writes where the new
    place has none (a state, where the new position names only its country), and those it never writes (OLD_IPTC,
    OLD_XMP, OLD_XMP_STRUCTURE)."""
    iptc_held = {name for name, value in iptc_groups(existing) if _filled(value)} if iptc_capable else set()
    iptc_old = [tag for f, (tag, _) in IPTC_NAMES.items() if f not in wanted and tag in iptc_held] + [t for t in OLD_IPTC if t in iptc_held]
    held = {key for key, value in existing.entries if _filled(value)}
    xmp_old = [tag for f, tag in XMP_NAMES.items() if f not in wanted and tag in held] + [t for t in OLD_XMP if t in held]
    structure = sorted(key for key in held if key.startswith(OLD_XMP_STRUCTURE))
    # (a record left with no dataset goes, and its version number with it)
    iptc = _Removal(tuple(f"-IPTC:{tag}=" for tag in iptc_old), frozenset({*(f"IPTC:{tag}" for tag in iptc_old),
                                                                           *(("IPTC:ApplicationRecordVersion",) if iptc_old else ())}),
                    tuple(f"IPTC:{tag}" for tag in iptc_old))
    xmp = _Removal((*(f"-{tag}=" for tag in xmp_old), *((f"-{OLD_XMP_STRUCTURE}=",) if structure else ())),
                   frozenset((*xmp_old, *structure)), (*xmp_old, *structure))
    return iptc, xmp


def _digest_renewal(existing: TagDump, iptc: _Removal) -> tuple[str, ...]:
    return ("-Photoshop:IPTCDigest=new",) if iptc.args and _digest_current(existing) else ()


def _digest_current(existing: TagDump) -> bool:
    digest, current = existing.get("Photoshop:IPTCDigest"), existing.get("File:CurrentIPTCDigest")
    return isinstance(digest, str) and isinstance(current, str) and digest.lower() == current.lower()


def _iptc(existing: TagDump, wanted: dict[str, str], overwrite: bool) -> _Iptc:
    """How the names go into IPTC; ``overwrite``: a name that cannot go there removes the one it
    replaces (never a stale name beside the new position)."""
    plan = _Iptc()
    values = {f: wanted[f] for f in IPTC_NAMES if f in wanted}
    entries = list(iptc_groups(existing))
    declared_utf8 = any(name == "CodedCharacterSet" and "%G" in str(value) for name, value in entries)
    undeclared = [text for _, value in entries for text in _texts(value) if not text.isascii()] if not declared_utf8 else []
    if all(v.isascii() for v in values.values()) or undeclared:
        encoding, options = "ascii", []
    elif declared_utf8:
        encoding, options = "utf-8", ["-charset", "iptc=UTF8"]
    else:
        encoding, options = "utf-8", ["-charset", "iptc=UTF8", "-IPTC:CodedCharacterSet=UTF8"]
        plan.tags.add("IPTC:CodedCharacterSet")
    for f, value in values.items():
        tag, limit = IPTC_NAMES[f]
        if not value.isascii() and encoding == "ascii":
            plan.notes.append(f"IPTC {tag} left out: the photo's IPTC holds text in a character set it does not declare, where "
                              f"{value!r} would read differently in different programs (the name is in XMP)")
            if overwrite and any(name == tag for name, _ in entries):
                plan.args.append(f"-IPTC:{tag}=")
                plan.tags.add(f"IPTC:{tag}")
            continue
        data = value.encode(encoding)
        if len(data) > limit:
            data = data[:limit]
            value = data.decode(encoding, "ignore")
            plan.notes.append(f"IPTC {tag} cut to {limit} bytes ({value!r}); the full name is in XMP")
        plan.args.append(f"-IPTC:{tag}={value}")
        plan.tags.add(f"IPTC:{tag}")
        plan.expected.append((f"IPTC:{tag}", value))
    if plan.args:
        plan.args[:0] = options
    return plan


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for v in value for text in _texts(v)]
    return [value] if isinstance(value, str) else []
