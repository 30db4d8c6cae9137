import os

import pytest
from hypothesis import settings

# `HYPOTHESIS_PROFILE=thorough make test` searches much harder than the default CI profile.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=3000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory, monkeypatch):
    """Every test reads and writes its own user config (privacy zones), never the developer's."""
    monkeypatch.setenv("GEOR_CONFIG_DIR", str(tmp_path_factory.mktemp("geor-config")))


@pytest.fixture(scope="session")
def tiny_vlm(tmp_path_factory):
    """A tiny Qwen2.5-VL taught to answer Biei, Hokkaido; as a checkpoint and as GGUF model + projector."""
    for module in ("torch", "transformers", "llama_cpp"):
        pytest.importorskip(module, reason="the model tests need the train and gguf extras (make test installs them)")
    from tests.helpers.tiny_vlm import build

    return build(tmp_path_factory.mktemp("tiny-vlm"), taught=True)


@pytest.fixture
def geor_home(tmp_path, monkeypatch):
    """A private data directory (models, jobs) sharing the already built default region pack."""
    from geor.engine.geo.geocoder.default_location import default_pack_path

    pack = default_pack_path()
    home = tmp_path / "geor-home"
    (home / "regionpacks").mkdir(parents=True)
    (home / "regionpacks" / pack.name).symlink_to(pack)
    monkeypatch.setenv("GEOR_DATA_DIR", str(home))
    return home


@pytest.fixture
def hub(tmp_path, monkeypatch, tiny_vlm, geor_home):
    """A local server laid out like the model hub, with a registry file naming the tiny model on it."""
    import json
    import shutil

    from tests.helpers.http_files import FileServer

    root = tmp_path / "hub"
    root.mkdir()
    shutil.copy(tiny_vlm.model, root / "Tiny-F16.gguf")
    shutil.copy(tiny_vlm.mmproj, root / "mmproj-Tiny-F16.gguf")
    server = FileServer(root)
    entries = [{
        "name": "tiny-test", "family": "qwen2.5-vl", "format": "gguf", "quantization": "F16",
        "description": "tiny test model", "licence": "Apache-2.0", "image_max_pixels": 12544,
        "files": {"model": {"repo": "geor/tiny", "file": "Tiny-F16.gguf"},
                  "mmproj": {"repo": "geor/tiny", "file": "mmproj-Tiny-F16.gguf"}},
    }, {
        "name": "tiny-swapped", "family": "qwen2.5-vl", "format": "gguf", "quantization": "F16",
        "description": "projector and model swapped", "licence": "Apache-2.0",
        "files": {"model": {"repo": "geor/tiny", "file": "mmproj-Tiny-F16.gguf"},
                  "mmproj": {"repo": "geor/tiny", "file": "Tiny-F16.gguf"}},
    }]
    (tmp_path / "registry.json").write_text(json.dumps(entries))
    monkeypatch.setenv("GEOR_MODEL_REGISTRY", str(tmp_path / "registry.json"))
    monkeypatch.setenv("GEOR_HF_ENDPOINT", server.url)
    yield server
    server.close()
