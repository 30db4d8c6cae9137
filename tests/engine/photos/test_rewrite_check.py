"""The rewrite check's comparison of warnings and handlers: the same warning in another spelling is not new, a
repeat more is, a warning of another tag is; a video's Keys box may add its handler and nothing more
(rewrite_check.unexpected_changes)."""

import pytest

from geor.engine.photos.exiftool import TagDump
from geor.engine.photos.rewrite_check import unexpected_changes


def warnings(*texts: str) -> TagDump:
    return TagDump(tuple(("ExifTool:Warning", text) for text in texts))


@pytest.mark.parametrize(("before", "after", "new"), [
    (["[minor] Unknown ExifIFD tag 0x9103"], ["[minor] Non-standard ExifIFD tag 0x9103 Exif_0x9103"], []),
    (["[minor] Non-standard ExifIFD tag 0x9103 Exif_0x9103"], ["[minor] Unknown ExifIFD tag 0x9103"], []),
    (["[minor] Unknown ExifIFD tag 0x9103"], ["[minor] Non-standard ExifIFD tag 0x9104 Exif_0x9104"],
     ["new warning: [minor] Unknown ExifIFD tag 0x9104"]),
    (["[minor] Unknown ExifIFD tag 0x9103"], ["[minor] Non-standard IFD0 tag 0x9103 Exif_0x9103"],
     ["new warning: [minor] Unknown IFD0 tag 0x9103"]),
    (["Entries in IFD1 are out of order [x6]"], ["Entries in IFD1 are out of order [x5]"], []),
    (["Entries in IFD1 are out of order [x2]"], ["Entries in IFD1 are out of order", "Entries in IFD1 are out of order"], []),
    (["Entries in IFD1 are out of order [x2]"], ["Entries in IFD1 are out of order [x3]"], ["new warning: Entries in IFD1 are out of order"]),
    ([], ["Entries in IFD1 are out of order"], ["new warning: Entries in IFD1 are out of order"]),
    (["Undefined value for MakerNotes:ManualFocusDistance"], ["Undefined value for MakerNoteNikon:ManualFocusDistance"], []),
    (["[minor] Unrecognized MakerNotes"], ["[minor] Unrecognized MakerNoteUnknown"], []),
    (["[minor] Adjusted MakerNotes base by 12"], ["[minor] Adjusted MakerNoteCanon base by 12"], []),  # (MakerNotes.pm: its DirName)
    (["[minor] Adjusted MakerNotes base by 12"], ["[minor] Adjusted MakerNoteCanon base by 8"], ["new warning: [minor] Adjusted MakerNotes base by 8"]),
    (["[minor] Unrecognized MakerNotes"], ["[minor] Unrecognized MakerNoteUnknown [x2]"], ["new warning: [minor] Unrecognized MakerNotes"]),
    (["[minor] Unrecognized MakerNotes"], ["[minor] Unrecognized MakerNotes data"], ["new warning: [minor] Unrecognized MakerNotes data"]),
])
def test_a_warning_is_new_only_when_the_file_did_not_have_it(before, after, new):
    assert unexpected_changes(warnings(*before), warnings(*after), set()) == new


@pytest.mark.parametrize(("before", "after", "allowed"), [
    ((), ("mdta",), True),  # a video without metadata boxes: the Keys box's handler created
    (("mdir",), ("mdir", "mdta"), True),  # beside an iTunes-style box (FFmpeg's MP4s): added, the old kept
    (("mdir",), ("mdta",), False),  # the iTunes-style box gone
    (("mdir",), ("mdir", "mdta", "mdta"), False),  # more than the one box the position needs
    (("mdir",), ("mdir", "mdir"), False),
])
def test_a_videos_keys_box_may_add_its_handler_and_nothing_more(before, after, allowed):
    dump = lambda handlers: TagDump(tuple(("QuickTime:HandlerType", h) for h in handlers))  # noqa: E731
    assert (unexpected_changes(dump(before), dump(after), ()) == []) is allowed
