"""Subprocess entry: ``python -m geor.export._run_converter CONVERTER_DIR ARGS...`` runs llama.cpp's
``convert_hf_to_gguf.py`` from CONVERTER_DIR with ARGS, unmodified, except that when its own
pre-tokenizer detection fails and the parent process named the pre-tokenizer (``GEOR_PRE_TOKENIZER``,
set only after matching the tokenizer's regex), that name is the answer."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path


def main() -> None:
    folder = Path(sys.argv[1])
    script = folder / "convert_hf_to_gguf.py"
    sys.argv = [str(script), *sys.argv[2:]]
    sys.path.insert(0, str(folder))
    sys.path.insert(1, str(folder / "gguf-py"))
    pre = os.environ.get("GEOR_PRE_TOKENIZER")
    if pre:
        import conversion.base as base  # the converter's own package

        detect = base.TextModel.get_vocab_base_pre

        def get_vocab_base_pre(self, tokenizer):  # noqa: ANN001, ANN202 - the converter's signature
            try:
                return detect(self, tokenizer)
            except NotImplementedError:
                return pre

        base.TextModel.get_vocab_base_pre = get_vocab_base_pre
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
