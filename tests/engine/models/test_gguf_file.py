"""GGUF headers are checked before llama.cpp sees a file: every damaged or mismatched file is a
clear GgufError naming it, never a crash inside llama.cpp."""

import struct

import pytest

from geor.engine.models.gguf_file import GgufError, check_pair, read_header
from tests.helpers.gguf_bytes import gguf_bytes, language_model, projector, write_gguf


def test_reads_metadata_and_tensors(tmp_path):
    header = read_header(language_model(tmp_path / "m.gguf", width=64))
    assert header.version == 3
    assert header.architecture == "qwen2vl" and not header.is_projector
    assert header.get("qwen2vl.embedding_length") == 64
    assert [(t.name, t.shape, t.type_name, t.n_bytes) for t in header.tensors] == [("token_embd.weight", (64, 8), "F32", 2048)]
    assert header.file_types() == {"F32": 1}


def test_real_converter_output_parses(tiny_vlm):
    model, proj = read_header(tiny_vlm.model), read_header(tiny_vlm.mmproj)
    assert model.architecture == "qwen2vl" and proj.is_projector
    assert proj.get("clip.projector_type") == "qwen2.5vl_merger"
    assert model.get("tokenizer.chat_template", "").startswith("{%")
    assert len(model.tensors) > 10
    check_pair(model, proj)


def test_truncated_file_names_the_tensor(tmp_path, tiny_vlm):
    data = tiny_vlm.model.read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(data[: len(data) - 1000])
    with pytest.raises(GgufError, match=r"cut\.gguf: truncated: .* needs"):
        read_header(cut)
    cut.write_bytes(data[:200])
    with pytest.raises(GgufError, match="ends inside its header"):
        read_header(cut)


@pytest.mark.parametrize("content, message", [
    (b"", "not a GGUF file"),
    (b"<!DOCTYPE html><html>Not Found</html>", "looks like a web page"),
    (b"PK\x03\x04 a zip", "not a GGUF file"),
])
def test_not_gguf(tmp_path, content, message):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(GgufError, match=message):
        read_header(path)


def test_unsupported_version_and_hostile_counts(tmp_path):
    path = write_gguf(tmp_path / "v9.gguf", {"general.architecture": "llama"}, version=9)
    with pytest.raises(GgufError, match="version 9"):
        read_header(path)
    hostile = tmp_path / "hostile.gguf"
    hostile.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**60, 1))
    with pytest.raises(GgufError, match="damaged"):
        read_header(hostile)
    huge_string = tmp_path / "string.gguf"
    huge_string.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**40))
    with pytest.raises(GgufError, match="damaged"):
        read_header(huge_string)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(GgufError, match="no such file"):
        read_header(tmp_path / "absent.gguf")
    with pytest.raises(GgufError, match="is a folder"):
        read_header(tmp_path)


def test_pair_checks(tmp_path):
    model = read_header(language_model(tmp_path / "m.gguf", width=64))
    proj = read_header(projector(tmp_path / "p.gguf", width=64))
    check_pair(model, proj)
    with pytest.raises(GgufError, match="is a vision projector .* not the language model"):
        check_pair(proj, model)
    with pytest.raises(GgufError, match="projects images to width 128, but m.gguf expects 64"):
        check_pair(model, read_header(projector(tmp_path / "wide.gguf", width=128)))
    with pytest.raises(GgufError, match="'gemma3' projector does not belong to a 'qwen2vl' model"):
        check_pair(model, read_header(projector(tmp_path / "g.gguf", kind="gemma3")))
    with pytest.raises(GgufError, match="'bert' is not a vision-language model"):
        check_pair(read_header(language_model(tmp_path / "b.gguf", arch="bert")), proj)
    with pytest.raises(GgufError, match="no chat template"):
        check_pair(read_header(language_model(tmp_path / "nt.gguf", template=False)), proj)


def test_header_only_file_is_truncated(tmp_path):
    path = tmp_path / "nodata.gguf"
    path.write_bytes(gguf_bytes({"general.architecture": "qwen2vl"}, [("w", (1024, 1024))], data=False))
    with pytest.raises(GgufError, match="truncated"):
        read_header(path)
