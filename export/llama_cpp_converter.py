"""llama.cpp's own Hugging Face -> GGUF converter, obtained from a pinned package, never vendored.

The converter (``convert_hf_to_gguf.py`` with its ``conversion`` package and the ``gguf-py`` it
was written against) is not in the llama-cpp-python wheel, but it is in that release's source
distribution on PyPI. :func:`converter_dir` downloads the sdist of the llama-cpp-python version
pinned here (checked against its SHA-256), extracts just those files into the user's cache
directory, and :func:`convert` runs it in a subprocess. Set ``GEOR_LLAMA_CPP_SDIST`` to a local
copy of the sdist on a machine without network.

Tiny test tokenizers trained offline have an unknown pre-tokenizer hash, which the converter
refuses. :func:`known_pre_tokenizer` names the pre-tokenizer when the tokenizer's split regex is
exactly one llama.cpp implements, and the runner (``_run_converter``) answers with that name only
when the converter's own detection fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from geor.engine.errors import UserError
from geor.engine.models.download import download
from geor.engine.models.gguf_file import KNOWN_PRE_TOKENIZERS
from geor.engine.paths import user_cache_dir

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
SDIST_NAME = f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}.tar.gz"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
SDIST_SIZE = 76_589_250
SDIST_URL = (
    "https://files.pythonhosted.org/packages/ec/e9/e7de2b0463ea3ffbf0ede6cb21b58c1258a8f6521aae45ca773a59fe7cf3/" + SDIST_NAME
)
_WANTED = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")



class ConverterError(UserError, RuntimeError):
    """The converter could not be obtained or failed; the message says why."""


def converter_dir() -> Path:
    """The folder holding ``convert_hf_to_gguf.py``; fetched and extracted on first use."""
    target = user_cache_dir() / f"llama.cpp-converter-{LLAMA_CPP_PYTHON_VERSION}"
    if (target / "convert_hf_to_gguf.py").is_file() and (target / ".complete").is_file():
        return target
    local = os.environ.get("GEOR_LLAMA_CPP_SDIST")
    if local:
        sdist = Path(local)
        if not sdist.is_file():
            raise ConverterError(f"GEOR_LLAMA_CPP_SDIST={local}: no such file")
    else:
        sdist = download(SDIST_URL, user_cache_dir() / "downloads" / SDIST_NAME, sha256=SDIST_SHA256, size=SDIST_SIZE)
    _extract(sdist, target)
    return target


def _extract(sdist: Path, target: Path) -> None:
    prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}/vendor/llama.cpp/"
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converter-", dir=target.parent))
    try:
        try:
            with tarfile.open(sdist, "r:gz") as archive:
                members = []
                for member in archive.getmembers():
                    if member.name.startswith(prefix):
                        member.name = member.name[len(prefix):]
                        if member.name.startswith(_WANTED):
                            members.append(member)
                if not any(m.name == "convert_hf_to_gguf.py" for m in members):
                    raise ConverterError(f"{sdist}: holds no vendor/llama.cpp/convert_hf_to_gguf.py; is it llama-cpp-python {LLAMA_CPP_PYTHON_VERSION}?")
                archive.extractall(staging, members=members, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise ConverterError(f"{sdist}: cannot read the archive ({exc}); delete it and try again") from None
        (staging / ".complete").write_text(LLAMA_CPP_PYTHON_VERSION + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def known_pre_tokenizer(checkpoint: Path) -> str | None:
    """llama.cpp's name for the checkpoint's pre-tokenizer when its split regex is one llama.cpp
    implements verbatim (a byte-level BPE split by that regex), else None."""
    try:
        spec = json.loads((Path(checkpoint) / "tokenizer.json").read_text(encoding="utf-8")).get("pre_tokenizer") or {}
    except (OSError, ValueError):
        return None
    steps = spec.get("pretokenizers", [spec]) if spec.get("type") == "Sequence" else [spec]
    regexes = [s.get("pattern", {}).get("Regex") for s in steps if s.get("type") == "Split"]
    byte_level = [s for s in steps if s.get("type") == "ByteLevel"]
    if len(regexes) != 1 or len(byte_level) != 1 or byte_level[0].get("use_regex", True):
        return None
    for name, regex in KNOWN_PRE_TOKENIZERS.items():
        if regexes[0] == regex:
            return name
    return None


def convert(checkpoint: Path, outfile: Path, outtype: str = "f16", mmproj: bool = False, timeout: float | None = None) -> Path:
    """Run llama.cpp's converter on a Hugging Face checkpoint folder; return the written GGUF.

    ``mmproj=True`` writes the vision projector instead of the language model.
    """
    checkpoint, outfile = Path(checkpoint), Path(outfile)
    if not (checkpoint / "config.json").is_file():
        raise ConverterError(f"{checkpoint}: not a checkpoint folder (no config.json)")
    outfile.parent.mkdir(parents=True, exist_ok=True)
    folder = converter_dir()
    command = [sys.executable, "-m", "geor.export._run_converter", str(folder), str(checkpoint),
               "--outfile", str(outfile), "--outtype", outtype]
    if mmproj:
        command.append("--mmproj")
    env = dict(os.environ)
    pre = known_pre_tokenizer(checkpoint)
    if pre:
        env["GEOR_PRE_TOKENIZER"] = pre
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-6:])
        raise ConverterError(f"{checkpoint}: llama.cpp's converter failed (exit {result.returncode}):\n{tail}")
    written = outfile
    if mmproj and not written.is_file():  # older converters prefix the name with "mmproj-"
        candidate = written.with_name("mmproj-" + written.name)
        written = candidate if candidate.is_file() else written
    if not written.is_file():
        raise ConverterError(f"{checkpoint}: the converter reported success but wrote no {outfile}")
    return written
