"""Settings are remembered with QSettings; wrong saved values fall back to defaults."""

from PySide6.QtCore import QSettings

from geor.desktop.settings import AppSettings, load_settings, save_settings
from geor.engine.placement.policy import PlacementPolicy

from ..helpers.app_settings import app_settings


def test_round_trip(tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    chosen = app_settings(model="/models/geo-r.gguf", device="cpu", threads=3, sidecar=True, overwrite=True,
                          window_min=15.5, min_confidence=0.7, tracks=["/tracks/a.gpx", "/tracks/b.kml"],
                          clocks=["NIKON Z 6=+01:03:27"], infer_clocks=False, policy=PlacementPolicy(interpolate_max_min=45.0, far_km=50.0))
    save_settings(chosen, store)
    again = load_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again == chosen and again.sidecar


def test_settings_saved_by_an_older_version_a_value_each_read_as_the_same(tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    for key, value in {"model": "/models/geo-r.gguf", "device": "cpu", "threads": 3, "write_mode": "sidecar", "window_min": 15.5,
                       "track_files": ["/tracks/a.gpx"], "camera_utc_offset": "+09:00", "clock_overrides": ["NIKON Z 6=+01:03:27"],
                       "far_km": 50.0, "per_scene": 0}.items():
        store.setValue(key, value)
    loaded = load_settings(store)
    assert loaded == app_settings(model="/models/geo-r.gguf", device="cpu", threads=3, sidecar=True, window_min=15.5, tracks=["/tracks/a.gpx"],
                                  tz="+09:00", clocks=["NIKON Z 6=+01:03:27"], policy=PlacementPolicy(far_km=50.0), per_scene=0)
    save_settings(loaded, store)  # from now on the new form, and only it
    assert "far_km" not in store.allKeys() and load_settings(store) == loaded


def test_one_gpx_file_saved_by_an_older_version_and_missing_keys(tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    store.setValue("gpx_files", "/tracks/only.gpx")  # the old name of track_files
    store.setValue("threads", "not a number")
    loaded = load_settings(store)
    assert loaded.options.tracks == ("/tracks/only.gpx",) and loaded.model.threads is None and loaded.model.device == "auto"


def test_impossible_values_are_not_used(tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    store.setValue("model", "kept.gguf")
    store.setValue("device", "tpu")
    store.setValue("min_confidence", 7)
    loaded = load_settings(store)
    assert loaded.model.device == "auto" and loaded.options.min_confidence == 0.5 and loaded.model.model == "kept.gguf"
    assert app_settings(window_min=-1).problems() == ["the time window cannot be negative"]
    assert app_settings(clocks=["NIKON Z 6"]).problems() == [
        "camera clock 'NIKON Z 6': expected CAMERA=OFFSET, e.g. \"NIKON Z 6=+01:03:27\""]
    assert app_settings(policy=PlacementPolicy(max_speed_kmh=0)).problems() == ["max speed kmh must be a number above 0, not 0"]


def test_the_dialog_returns_what_was_chosen(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_DATA_DIR", str(tmp_path / "data"))
    from geor.desktop.settings_dialog import SettingsDialog

    dialog = SettingsDialog(app_settings(model="a.gguf", tracks=["/t/a.gpx"]))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.registry.rowCount() >= 3)  # the built-in registry, read off the UI thread
    assert dialog.registry.item(0, 1).text() == "not downloaded"
    dialog.sidecar.setChecked(True)
    dialog.threads.setValue(4)
    dialog.window_min.setValue(30.0)
    dialog.registry.selectRow(0)
    assert dialog.download.isEnabled() and not dialog.use.isEnabled()
    dialog.clocks.setPlainText("NIKON Z 6=+01:03:27\n\n")
    dialog.policy_fields["interpolate_max_min"].setValue(45.0)
    dialog._add_zone_row("home", 48.8566, 2.3522, 500.0)
    dialog.privacy_mode.setCurrentIndex(1)
    dialog._accept()
    assert dialog.settings == app_settings(model="a.gguf", threads=4, sidecar=True, window_min=30.0, tracks=["/t/a.gpx"],
                                           clocks=["NIKON Z 6=+01:03:27"], policy=PlacementPolicy(interpolate_max_min=45.0))
    # the zones go to the user's config, which geor tag reads too
    from geor.engine.placement.privacy import PrivacyZone, load_rules

    saved = load_rules()
    assert saved.zones == (PrivacyZone(48.8566, 2.3522, 500.0, "home"),) and saved.mode == "omit"


def test_the_dialog_names_a_zone_that_cannot_be_one(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_DATA_DIR", str(tmp_path / "data"))
    from geor.desktop.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    dialog._add_zone_row("far", 123.0, 2.0, 500.0)
    dialog._accept()
    assert "privacy zone '123,2,500,far': (123.0, 2.0) is not a position" in dialog.problem.text() and not dialog.result()


def test_download_a_registry_model_with_progress_then_use_it(qtbot, hub, make_window):
    """The dialog pulls a model from a (local) hub, shows progress, and the app then runs it by name."""
    from geor.desktop.job_queue import REVIEW
    from geor.desktop.settings_dialog import SettingsDialog

    from ..helpers.desktop_photos import photo_folder
    from ..helpers.desktop_views import views_by_name, wait_for_state

    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: any(dialog.registry.item(r, 0).text() == "tiny-test" for r in range(dialog.registry.rowCount())))
    row = next(r for r in range(dialog.registry.rowCount()) if dialog.registry.item(r, 0).text() == "tiny-test")
    dialog.registry.selectRow(row)
    progress = []
    dialog._signals.progress.connect(lambda file, done, total: progress.append((file, done, total)))
    dialog.download.click()
    qtbot.waitUntil(lambda: dialog.model.text() == "tiny-test", timeout=60000)
    assert "installed" in dialog.download_status.text() and "verified" in dialog.download_status.text()
    assert progress and progress[-1][1] == progress[-1][2]  # the last tick: every byte of the file
    dialog._accept()
    window = make_window(**{"model": dialog.settings.model.model, "threads": 2, "max_tokens": 64})
    folder = photo_folder(hub.root.parent / "photos", model_photos=1)
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    assert views_by_name(window)["hokkaido_1.jpg"].country == "Japan"
