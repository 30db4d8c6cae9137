import os

import pytest
from hypothesis import settings

# `HYPOTHESIS_PROFILE=thorough make test` searches much harder than the default CI profile.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=3000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def tiny_vlm(tmp_path_factory):
    """A tiny Qwen2.5-VL taught to answer Biei, Hokkaido; as a checkpoint and as GGUF model + projector."""
    for module in ("torch", "transformers", "llama_cpp"):
        pytest.importorskip(module, reason="the model tests need the train and gguf extras (make test installs them)")
    from tests.tiny_vlm import build

    return build(tmp_path_factory.mktemp("tiny-vlm"), taught=True)


@pytest.fixture
def geor_home(tmp_path, monkeypatch):
    """A private data directory (models, jobs) sharing the already built default region pack."""
    from geor.engine.geo.geocoder.default_pack import default_pack_path

    pack = default_pack_path()
    home = tmp_path / "geor-home"
    (home / "regionpacks").mkdir(parents=True)
    (home / "regionpacks" / pack.name).symlink_to(pack)
    monkeypatch.setenv("GEOR_DATA_DIR", str(home))
    return home
