#!/bin/sh
# Remove what install.sh put in place. Your jobs, settings, models and caches stay (they live in
# ~/.local/share/geor, ~/.config/Geo-R and ~/.cache/geor); delete those by hand if you want them gone.
set -eu
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
rm -f "$HOME/.local/bin/geor-desktop" "$data_home/applications/geor-desktop.desktop" "$data_home/icons/hicolor/256x256/apps/geor-desktop.png"
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$data_home/applications" || true; fi
rm -rf "$data_home/geor-desktop"
echo "Geo-R removed (your photos, jobs and settings are untouched)"
