"""geor-export at a realistic size: for each GGUF quantisation, the files' sizes against the
safetensors source and the f16 export, the export's wall time, and per-photo speed and peak RSS
in the Geo-R engine, in one table.

The source is bench_inference.py's random-weight checkpoint with Qwen2.5-VL-3B-Instruct's exact
shapes (bfloat16 safetensors; built once). Exports run without verification (verifying against
the 3B checkpoint in transformers takes minutes per photo on a CPU; the tests verify every format on
the tiny model). Each engine run is a fresh process so that its peak RSS is its own.

    python benchmarks/bench_export.py                  # all of q4, q5, q8, f16 (~30 min on 2 cores)
    python benchmarks/bench_export.py --quants q4,f16 --photos 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_inference import CACHE, NEW_TOKENS, SIDE, log, make_photos, prepare, run_child  # noqa: E402

QUANTS = ("f16", "q8", "q5", "q4")


def export_folder(quant: str) -> Path:
    return CACHE / "exports" / f"gguf-{quant}"


def run_export(quant: str, threads: int) -> dict:
    from geor.export.pipeline import ExportRequest, export

    started = time.perf_counter()
    result = export(
        ExportRequest(
            checkpoint=CACHE / "hf", format="gguf", quant=quant, out=export_folder(quant), force=True, verify=False, threads=threads
        ),
        phase=lambda name: log(f"  {name}"),
    )
    return {"seconds": time.perf_counter() - started, "phases": result.seconds,
            "sizes": {role: entry.size for role, entry in result.manifest.files.items()},
            "label": result.manifest.quantization}


def measure(quant: str, photos: list[Path], threads: int) -> dict:
    """Runs in its own process (see main)."""
    from geor.engine.cor import chat_messages
    from geor.engine.inference.backend import SamplingOptions
    from geor.engine.inference.images import load_image
    from geor.engine.inference.loader import open_backend, resolve

    started = time.perf_counter()
    backend = open_backend(resolve(export_folder(quant)), device="cpu", threads=threads)
    load_s = time.perf_counter() - started
    per_photo, tokens = [], []
    for photo in photos:
        t = time.perf_counter()
        generation = backend.generate(load_image(photo, max_pixels=SIDE * SIDE), chat_messages(), 1,
                                      SamplingOptions(max_new_tokens=NEW_TOKENS))[0]
        per_photo.append(time.perf_counter() - t)
        tokens.append(len(generation.tokens))
    backend.close()
    return {"load_s": load_s, "per_photo_s": per_photo, "tokens": tokens,
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quants", default=",".join(QUANTS))
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, make_photos(args.photos), args.threads)))
        return 0
    info = prepare()
    source_bytes = info["sizes"]["safetensors"]
    make_photos(args.photos)
    rows = {}
    for quant in args.quants.split(","):
        log(f"geor-export --quant {quant}")
        rows[quant] = run_export(quant, args.threads)
        log(f"  {rows[quant]['seconds']:.0f} s; measuring the engine on {args.photos} photos")
        engine = run_child(__file__, quant, args.photos, args.threads)
        if engine is not None:
            rows[quant]["engine"] = engine
    (CACHE / "export-results.json").write_text(json.dumps(rows, indent=2))
    f16_model = rows.get("f16", {}).get("sizes", {}).get("model")
    print(f"\nSource: random-weight Qwen2.5-VL-3B safetensors, {source_bytes / 2**30:.2f} GiB (bfloat16). Per photo: "
          f"{SIDE}x{SIDE} image, Chain-of-Region prompt, {NEW_TOKENS} new tokens, {args.threads} threads.")
    print("| export | model | projector | total vs safetensors | model vs f16 | export time | first photo | later photos | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for quant, row in rows.items():
        sizes = row["sizes"]
        total = sizes["model"] + sizes["mmproj"]
        engine = row.get("engine")
        later = engine["per_photo_s"][1:] or engine["per_photo_s"] if engine else []
        print(f"| {row['label']} (mmproj {'F16' if quant == 'f16' else 'Q8_0'}) | {sizes['model'] / 2**30:.2f} GiB | "
              f"{sizes['mmproj'] / 2**30:.2f} GiB | {100 * total / source_bytes:.0f} % | "
              f"{(100 * sizes['model'] / f16_model) if f16_model else float('nan'):.0f} % | {row['seconds']:.0f} s | "
              + (f"{engine['per_photo_s'][0]:.1f} s | {sum(later) / len(later):.1f} s | {engine['peak_rss'] / 2**30:.2f} GiB |"
                 if engine else "failed | | |"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
