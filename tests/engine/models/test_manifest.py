import json

import pytest

from geor.engine.models.manifest import MANIFEST_NAME, FileEntry, ManifestError, ModelManifest, file_entry, verify


def make(folder):
    (folder / "model.gguf").write_bytes(b"model bytes")
    (folder / "mmproj.gguf").write_bytes(b"projector bytes")
    manifest = ModelManifest("tiny", "qwen2.5-vl", "gguf",
                             {"model": file_entry(folder, "model.gguf"), "mmproj": file_entry(folder, "mmproj.gguf")},
                             quantization="F16", image_max_pixels=12544, source={"checkpoint": "runs/x"})
    manifest.save(folder)
    return manifest


def test_round_trip_and_verify(tmp_path):
    written = make(tmp_path)
    loaded = ModelManifest.load(tmp_path)
    assert loaded == written
    assert loaded.path_of("mmproj") == tmp_path / "mmproj.gguf"
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["geor_manifest"] == 1
    assert verify(loaded) == []


def test_verify_finds_missing_resized_and_altered_files(tmp_path):
    manifest = make(tmp_path)
    (tmp_path / "model.gguf").write_bytes(b"model bytez")  # same size, different bytes
    (tmp_path / "mmproj.gguf").unlink()
    problems = verify(manifest)
    assert any("model.gguf: checksum differs" in p for p in problems)
    assert any("mmproj.gguf: missing" in p for p in problems)
    (tmp_path / "model.gguf").write_bytes(b"short")
    assert "5 bytes, the manifest says 11" in verify(manifest)[0]


@pytest.mark.parametrize("text, message", [
    (None, "no manifest"),
    ("{not json", "not valid JSON"),
    ('{"geor_manifest": 99}', "not a Geo-R manifest"),
    ('{"geor_manifest": 1, "name": "x"}', "missing or malformed field"),
    ('{"geor_manifest": 1, "name": "x", "family": "qwen2.5-vl", "format": "pickle", "files": {}}', "format 'pickle'"),
    ('{"geor_manifest": 1, "name": "x", "family": "qwen2.5-vl", "format": "gguf", "files": {"model": {"path": "../../etc/passwd"}}}',
     "inside the model folder"),
    ('{"geor_manifest": 1, "name": "x", "family": "qwen2.5-vl", "format": "gguf", "prompt_version": "cor-99", "files": {}}',
     "prompt version 'cor-99' is unknown"),
])
def test_bad_manifests_are_named(tmp_path, text, message):
    if text is not None:
        (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(ManifestError, match=message):
        ModelManifest.load(tmp_path)


def test_entry_without_checksum_is_size_checked_only(tmp_path):
    (tmp_path / "w.onnx").write_bytes(b"1234")
    manifest = ModelManifest("o", "qwen2.5-vl", "onnx", {"decoder": FileEntry("w.onnx", None, 4)}, folder=tmp_path)
    assert verify(manifest) == []
