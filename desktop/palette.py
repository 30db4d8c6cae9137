"""The desktop's colours, named by what they mean, and the style sheets made of them: the one place
to change the look. Colours are "#rrggbb" strings, which QColor, style sheets and the rich text of
labels all take; :func:`with_alpha` makes a translucent one ("#aarrggbb", QColor's form)."""

from __future__ import annotations


def with_alpha(colour: str, alpha: int) -> str:
    """"#rrggbb" and an opacity 0..255 -> "#aarrggbb", for QColor."""
    return f"#{alpha:02x}{colour.removeprefix('#')}"


# -- meaning --------------------------------------------------------------------------------------

ERROR = "#b3261e"  # a photo that could not be read, a problem to fix, a check the geocoder disagrees with
GOOD = "#1b7f3b"  # accepted, written, a check the geocoder confirms
WARNING = "#b26b00"  # needs review, a model answer that cannot be used
PROPOSED = "#1f5fa8"  # a position proposed for review; its uncertainty circle
INACTIVE = "#8a8a8a"  # rejected, no location, not yet processed
KEPT = "#4a4a4a"  # the photo's own GPS, left as it is
WITHHELD = "#6a4a8a"  # inside a privacy zone: not written exactly

# -- text -----------------------------------------------------------------------------------------

TEXT = "#000000"  # a status nothing else colours
TEXT_STRONG = "#222222"  # the map's hint box
TEXT_HEADING = "#333333"  # the empty state's title, the map's status and scale bar
TEXT_SECONDARY = "#555555"  # explanations, the job's state, a decision's note
TEXT_MUTED = "#666666"  # labels beside values, subtitles, the map's attribution

#: the photo table's Status column: status -> colour
STATUS_TEXT = {
    "needs review": WARNING, "proposed": PROPOSED, "accepted": GOOD, "written": GOOD, "rejected": INACTIVE, "error": ERROR,
    "no location": INACTIVE, "has GPS": KEPT, "pending": INACTIVE, "withheld": WITHHELD,
}

# -- the empty state and the preview ---------------------------------------------------------------

DROP_BORDER = "#9aa8b8"
DROP_BACKGROUND = "#f7f9fb"
PREVIEW_BACKGROUND = "#2b2b2b"
PREVIEW_TEXT = "#bbbbbb"

# -- the map --------------------------------------------------------------------------------------

MAP_SEA = "#dbe7f3"
MAP_LAND = "#f4f1ea"
MAP_DIVISION = "#c9c2b6"  # first-level borders (provinces, states)
MAP_COAST = "#7d98b3"
MAP_COUNTRY = "#6b6257"  # national borders
MAP_TOWN = "#555555"  # a town's dot
MAP_TOWN_LABEL = "#3a3a3a"
MAP_OUTLINE = "#ffffff"  # the ring around dots and the marker
MAP_MARKER = "#c62828"  # the selected photo's position
MAP_CIRCLE_EDGE = with_alpha(PROPOSED, 200)  # its uncertainty
MAP_CIRCLE_FILL = with_alpha(PROPOSED, 45)
MAP_HINT_BACKGROUND = with_alpha("#ffffff", 220)

#: the job's other photos on the map: status -> dot colour (lighter than the table's text, to read as dots)
MAP_DOT = {
    "accepted": GOOD, "written": GOOD, "has GPS": KEPT, "needs review": "#d98a00", "proposed": PROPOSED, "rejected": "#9a9a9a",
}
MAP_DOT_OTHER = PROPOSED

# -- style sheets ---------------------------------------------------------------------------------

ERROR_LABEL = f"color: {ERROR};"
MUTED_LABEL = f"color: {TEXT_MUTED};"
SECONDARY_LABEL = f"color: {TEXT_SECONDARY};"
BOLD_LABEL = "font-weight: 600;"
TITLE_LABEL = "font-weight: 600; font-size: 11pt;"
PREVIEW = f"QLabel {{ background: {PREVIEW_BACKGROUND}; color: {PREVIEW_TEXT}; border-radius: 4px; }}"
DROP_TITLE = f"font-size: 20pt; font-weight: 600; color: {TEXT_HEADING};"
DROP_TEXT = f"color: {TEXT_SECONDARY}; font-size: 10.5pt;"
DROP_BOX = f"#dropBox {{ border: 2px dashed {DROP_BORDER}; border-radius: 12px; background: {DROP_BACKGROUND}; }}"
