#!/bin/sh
# Install Geo-R for the current user (no root): the app under ~/.local/share/geor-desktop, a
# command in ~/.local/bin, a menu entry, an icon, and "Open with Geo-R" for folders and photos.
# Run it from the unpacked bundle:  ./install.sh      Remove with:  ~/.local/share/geor-desktop/uninstall.sh
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
target="$data_home/geor-desktop"
bin_dir="$HOME/.local/bin"
if [ ! -x "$here/geor-desktop" ]; then
    echo "install.sh: run me from the unpacked Geo-R folder (geor-desktop not found beside me)" >&2
    exit 1
fi
if [ "$here" != "$target" ]; then
    staging="$target.new.$$"
    rm -rf "$staging"
    mkdir -p "$data_home"
    cp -a "$here" "$staging"
    # replace an earlier version in one step; the old one is removed only after the new one is in place
    if [ -e "$target" ]; then mv "$target" "$target.old.$$"; fi
    mv "$staging" "$target"
    rm -rf "$target.old.$$"
fi
mkdir -p "$bin_dir" "$data_home/applications" "$data_home/icons/hicolor/256x256/apps"
ln -sf "$target/geor-desktop" "$bin_dir/geor-desktop"
cp "$target/geor-desktop.png" "$data_home/icons/hicolor/256x256/apps/geor-desktop.png"
sed "s|@EXEC@|$target/geor-desktop|" "$target/geor-desktop.desktop.in" > "$data_home/applications/geor-desktop.desktop"
chmod 644 "$data_home/applications/geor-desktop.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$data_home/applications" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true; fi
echo "Geo-R installed in $target"
echo "Start it from the menu, with 'geor-desktop' ($bin_dir must be on your PATH), or right-click a folder > Open With > Geo-R."
