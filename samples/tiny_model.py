"""Build a tiny random-weight Qwen2.5-VL offline and convert it to GGUF, so that `make demo` can show
`geor predict` and `geor tag --model` running a real model through llama.cpp on this machine.
Its answers are noise: for real answers, `geor models pull qwen2.5-vl-3b-instruct-q4`.

    python samples/tiny_model.py OUT_DIR
"""

import os
import sys
from pathlib import Path

# Built on the CPU, quietly. save_pretrained goes through accelerate, which imports DeepSpeed whenever it is
# installed (the train extra); DeepSpeed then detects its accelerator and, finding no GPU, warns "Setting
# accelerator to CPU". Naming the CPU up front skips that detection. The one-shard save needs no progress bar.
os.environ.setdefault("DS_ACCELERATOR", "cpu")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from geor.export.llama_cpp_converter import convert
from geor.training.random_models import build_checkpoint


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/demo/tiny-model")
    if (out / "model-f16.gguf").is_file() and (out / "mmproj-f16.gguf").is_file():
        print(f"{out}: already built")
        return 0
    checkpoint = build_checkpoint("qwen2.5-vl", out / "checkpoint")
    convert(checkpoint, out / "model-f16.gguf", "f16")
    convert(checkpoint, out / "mmproj-f16.gguf", "f16", mmproj=True)
    print(f"{out}: tiny random-weight GGUF model and projector")
    return 0


if __name__ == "__main__":
    sys.exit(main())
