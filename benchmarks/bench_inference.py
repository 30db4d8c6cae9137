"""Per-photo speed and peak memory of the inference runtimes, side by side, at a realistic size.

A random-weight model with Qwen2.5-VL-3B-Instruct's exact shapes (random weights cost the same
compute as trained ones) is built once, converted with llama.cpp's converter and quantised to
Q4_K_M (projector Q8_0). Then, each in a fresh process so peak RSS is its own, on the same photos
(448 x 448 = 256 image tokens, the Chain-of-Region prompt, 64 generated tokens):

- bare llama-cpp-python: ``Llama`` + ``MTMDChatHandler.create_chat_completion``, what a user of
  llama-cpp-python would write;
- the Geo-R engine's GGUF backend, with the prefix cache off and on;
- transformers (bfloat16 and float32), the reference.

    python benchmarks/bench_inference.py                # prepare (once, ~15 min, ~20 GB disk) and measure
    python benchmarks/bench_inference.py --photos 3 --runtimes gguf-bare,gguf-engine,transformers-bf16

Needs the train extra (torch, transformers) and llama-cpp-python.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(os.environ.get("GEOR_BENCH_DIR", Path.home() / ".cache" / "geor" / "bench")) / "qwen2.5-vl-3b"
NEW_TOKENS = 64
SIDE = 448
RUNTIMES = ("gguf-bare", "gguf-engine-nocache", "gguf-engine", "transformers-bf16", "transformers-fp32")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare() -> dict:
    info_path = CACHE / "sizes.json"
    if info_path.is_file():
        return json.loads(info_path.read_text())
    from geor.export.llama_cpp_converter import convert
    from geor.export.quantize import quantize
    from geor.training.random_models import build_checkpoint

    hf = CACHE / "hf"
    CACHE.mkdir(parents=True, exist_ok=True)
    if not (hf / "model.safetensors.index.json").is_file() and not (hf / "model.safetensors").is_file():
        log("building the random-weight Qwen2.5-VL-3B checkpoint (bfloat16)")
        t = time.perf_counter()
        build_checkpoint("qwen2.5-vl", hf, size="3b", dtype="bfloat16")
        log(f"  {time.perf_counter() - t:.0f} s")
    timings = {}
    steps = [
        ("model-f16.gguf", lambda out: convert(hf, out, "f16")),
        ("mmproj-f16.gguf", lambda out: convert(hf, out, "f16", mmproj=True)),
        ("model-Q4_K_M.gguf", lambda out: quantize(CACHE / "model-f16.gguf", out, "q4")),
        ("mmproj-Q8_0.gguf", lambda out: quantize(CACHE / "mmproj-f16.gguf", out, "q8")),
    ]
    for name, step in steps:
        if not (CACHE / name).is_file():
            log(f"writing {name}")
            t = time.perf_counter()
            step(CACHE / name)
            timings[name] = time.perf_counter() - t
            log(f"  {timings[name]:.0f} s")
    sizes = {p.name: p.stat().st_size for p in sorted(CACHE.glob("*.gguf"))}
    sizes["safetensors"] = sum(p.stat().st_size for p in hf.glob("*.safetensors"))
    info = {"sizes": sizes, "seconds": timings}
    info_path.write_text(json.dumps(info, indent=2))
    return info


def make_photos(n: int) -> list[Path]:
    import numpy as np
    from PIL import Image

    folder = CACHE / "photos"
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"photo{i}.jpg"
        if not path.is_file():
            rng = np.random.default_rng(i)
            pixels = (rng.random((SIDE, SIDE, 3)) * 255).astype("uint8")
            Image.fromarray(pixels).save(path, quality=90)
        paths.append(path)
    return paths


def measure(runtime: str, photos: list[Path], threads: int) -> dict:
    """Runs in its own process (see main)."""
    from geor.engine.cor import chat_messages, instruction
    from geor.engine.inference.backend import SamplingOptions
    from geor.engine.inference.images import load_image

    per_photo = []
    tokens = []
    t_load = time.perf_counter()
    if runtime == "gguf-bare":
        import base64

        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import MTMDChatHandler

        llama = Llama(str(CACHE / "model-Q4_K_M.gguf"), chat_handler=MTMDChatHandler(str(CACHE / "mmproj-Q8_0.gguf"), verbose=False),
                      n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False)
        load_s = time.perf_counter() - t_load
        for photo in photos:
            uri = "data:image/jpeg;base64," + base64.b64encode(photo.read_bytes()).decode()
            t = time.perf_counter()
            out = llama.create_chat_completion(
                messages=[{"role": "user", "content": [{"type": "text", "text": instruction()}, {"type": "image_url", "image_url": {"url": uri}}]}],
                max_tokens=NEW_TOKENS, temperature=0.0,
            )
            per_photo.append(time.perf_counter() - t)
            assert isinstance(out, dict)  # a response, not a stream (stream=False)
            tokens.append(out["usage"]["completion_tokens"])
        llama.close()
    else:
        from geor.engine.inference.loader import ModelSpec, open_backend

        if runtime.startswith("gguf-engine"):
            spec = ModelSpec("gguf", {"model": CACHE / "model-Q4_K_M.gguf", "mmproj": CACHE / "mmproj-Q8_0.gguf"}, None)
            backend = open_backend(spec, device="cpu", threads=threads, prefix_cache=runtime == "gguf-engine")
        else:
            from geor.engine.inference.transformers_backend import TransformersBackend

            backend = TransformersBackend(CACHE / "hf", device="cpu", dtype="bfloat16" if runtime.endswith("bf16") else "float32",
                                          n_threads=threads)
        load_s = time.perf_counter() - t_load
        options = SamplingOptions(max_new_tokens=NEW_TOKENS)
        for photo in photos:
            t = time.perf_counter()
            image = load_image(photo, max_pixels=SIDE * SIDE)
            generation = backend.generate(image, chat_messages(), 1, options)[0]
            per_photo.append(time.perf_counter() - t)
            tokens.append(len(generation.tokens))
        backend.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"runtime": runtime, "load_s": load_s, "per_photo_s": per_photo, "tokens": tokens, "peak_rss": peak}


def run_child(script: str, name: str, photos: int, threads: int) -> dict | None:
    """``script --child NAME`` in a fresh process (so that its peak RSS is its own); its JSON result."""
    done = subprocess.run([sys.executable, script, "--child", name, "--photos", str(photos), "--threads", str(threads)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        log(f"  failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--runtimes", default=",".join(RUNTIMES))
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = measure(args.child, make_photos(args.photos), args.threads)
        print(json.dumps(result))
        return 0
    info = prepare()
    if args.prepare_only:
        print(json.dumps(info, indent=2))
        return 0
    make_photos(args.photos)
    results = {}
    for runtime in args.runtimes.split(","):
        log(f"measuring {runtime} on {args.photos} photos")
        child = run_child(__file__, runtime, args.photos, args.threads)
        if child is None:
            continue
        results[runtime] = child
        r = results[runtime]
        log(f"  load {r['load_s']:.1f} s, per photo {', '.join(f'{s:.1f}' for s in r['per_photo_s'])} s, tokens {r['tokens']}, peak {r['peak_rss'] / 2**30:.2f} GiB")
    report(info, results, args.photos)
    (CACHE / "results.json").write_text(json.dumps({"info": info, "results": results}, indent=2))
    return 0


def report(info: dict, results: dict, n: int) -> None:
    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    print(f"\nPer photo: {SIDE}x{SIDE} image (256 image tokens) + Chain-of-Region prompt + {NEW_TOKENS} new tokens; "
          f"{n} photos, {os.cpu_count()} threads")
    print("| runtime | first photo | mean of the rest | peak RSS |")
    print("|---|---:|---:|---:|")
    for name, r in results.items():
        rest = r["per_photo_s"][1:] or r["per_photo_s"]
        print(f"| {name} | {r['per_photo_s'][0]:.1f} s | {mean(rest):.1f} s | {r['peak_rss'] / 2**30:.2f} GiB |")
    base = results.get("gguf-engine")
    for peer in ("transformers-bf16", "transformers-fp32"):
        if base and peer in results:
            speed = mean(results[peer]["per_photo_s"]) / mean(base["per_photo_s"])
            memory = base["peak_rss"] / results[peer]["peak_rss"]
            print(f"engine GGUF Q4_K_M vs {peer}: {speed:.2f}x faster per photo, {memory:.2f} of its peak memory")
    if "gguf-bare" in results and "gguf-engine-nocache" in results:
        overhead = mean(results["gguf-engine-nocache"]["per_photo_s"]) / mean(results["gguf-bare"]["per_photo_s"]) - 1
        print(f"engine overhead over bare llama-cpp-python (prefix cache off): {overhead * 100:+.1f} %")
    if "gguf-engine" in results and "gguf-engine-nocache" in results:
        a = mean(results["gguf-engine-nocache"]["per_photo_s"][1:] or [0])
        b = mean(results["gguf-engine"]["per_photo_s"][1:] or [0])
        if a and b:
            print(f"prefix cache: {a:.2f} s -> {b:.2f} s per photo after the first ({(1 - b / a) * 100:.1f} % less)")
    sizes = info["sizes"]
    print("\n| file | size |")
    print("|---|---:|")
    for name, size in sizes.items():
        print(f"| {name} | {size / 2**30:.2f} GiB |")


if __name__ == "__main__":
    sys.exit(main())
