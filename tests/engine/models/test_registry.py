"""``geor models pull|list|verify|remove`` against a local server laid out like the model hub."""

import json

import pytest
from PIL import Image

from geor.engine.cli import main
from geor.engine.models import registry
from geor.engine.models.download import DownloadError


def test_pull_list_verify_predict_remove(hub, capsys, geor_home):
    assert registry.status("tiny-test") == "absent"
    assert main(["models", "pull", "tiny-test"]) == 0
    folder = geor_home / "models" / "tiny-test"
    assert (folder / "geor-model.json").is_file()
    assert [r for r in hub.behaviour.requests if r[0] == "HEAD"]  # checksums came from the server's LFS headers
    capsys.readouterr()
    assert main(["models", "list", "--json"]) == 0
    listed = {row["name"]: row["status"] for row in json.loads(capsys.readouterr().out)}
    assert listed["tiny-test"] == "installed" and listed["qwen2.5-vl-3b-instruct-q4"] == "absent"
    assert main(["models", "verify", "tiny-test"]) == 0
    assert "all files match" in capsys.readouterr().out

    # the installed model is usable by name
    photo = geor_home / "photo.jpg"
    Image.new("RGB", (200, 150), (40, 120, 200)).save(photo)
    assert main(["predict", str(photo), "--model", "tiny-test", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["status"], answer["country"], answer["checks"]["country"]["agrees"]) == ("ok", "Japan", True)

    data = bytearray((folder / "Tiny-F16.gguf").read_bytes())
    data[-1] ^= 0xFF
    (folder / "Tiny-F16.gguf").write_bytes(bytes(data))
    assert main(["models", "verify", "tiny-test"]) == 1
    assert "checksum differs" in capsys.readouterr().out
    assert main(["models", "remove", "tiny-test"]) == 0
    assert registry.status("tiny-test") == "absent"


def test_interrupted_pull_resumes(hub, geor_home):
    hub.behaviour.cut_after = 100_000
    with pytest.raises(DownloadError, match="resume"):
        registry.pull("tiny-test")
    assert registry.status("tiny-test") == "partial"
    registry.pull("tiny-test")
    assert registry.status("tiny-test") == "installed"
    assert any(r[2] == "bytes=100000-" for r in hub.behaviour.requests)


def test_swapped_files_are_refused_after_download(hub):
    with pytest.raises(DownloadError, match="not a usable pair: .*is a vision projector"):
        registry.pull("tiny-swapped")
    assert registry.status("tiny-swapped") == "partial"  # files kept (no second download), no manifest


def test_unknown_model_and_bad_registry(hub, monkeypatch, tmp_path, capsys):
    assert main(["models", "pull", "nope"]) == 1
    assert "no model named 'nope'" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("[{")
    monkeypatch.setenv("GEOR_MODEL_REGISTRY", str(tmp_path / "bad.json"))
    assert main(["models", "list"]) == 1
    assert "not a readable registry file" in capsys.readouterr().err
