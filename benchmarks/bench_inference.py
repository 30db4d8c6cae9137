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
    python benchmarks/bench_inference.py --folder       # model calls per scene: 1,000 photos, 40 scenes, the tiny model

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
from typing import Any

from roofline import Peaks, cores, cpu_name, decoder_token_flops, prefill_flops, vision_flops

CACHE = Path(os.environ.get("GEOR_BENCH_DIR", Path.home() / ".cache" / "geor" / "bench")) / "qwen2.5-vl-3b"
NEW_TOKENS = 64
SIDE = 448
DEVICE = os.environ.get("GEOR_BENCH_DEVICE", "cpu")
#: gguf-engine: the engine as a Geo-R model folder runs it (Q4_K_M decoder, the vision encoder on onnxruntime, int8);
#: -projector: images encoded by llama.cpp's Q8_0 projector instead (what a bare .gguf pair gets); -f16proj: its f16
#: projector; -fp32vision: the float32 ONNX encoder; -fa: llama.cpp's flash attention; -nocache: no prefix cache;
#: @N: an image budget of N tokens. transformers-bf16 also runs (slow where the CPU lacks bf16 arithmetic).
RUNTIMES = ("gguf-bare", "gguf-engine-projector-nocache", "gguf-engine-projector", "gguf-engine-f16proj", "gguf-engine-fp32vision",
            "gguf-engine", "gguf-engine-fa", "gguf-engine@144", "gguf-engine@64", "transformers-fp32")


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
    vision = CACHE / "vision-onnx"
    if not (vision / "vision-int8.onnx").is_file():
        log("exporting the vision tower to ONNX (float32, then int8)")
        t = time.perf_counter()
        export_vision(hf, vision)
        timings["vision-onnx"] = time.perf_counter() - t
        log(f"  {timings['vision-onnx']:.0f} s")
    sizes = {p.name: p.stat().st_size for p in sorted(CACHE.glob("*.gguf"))}
    sizes["vision-onnx/vision-int8.onnx"] = (vision / "vision-int8.onnx").stat().st_size
    sizes["vision-onnx/vision.onnx (float32, with its external weights)"] = sum(
        p.stat().st_size for p in vision.iterdir() if p.name not in ("vision-int8.onnx", "onnx_config.json"))
    sizes["safetensors"] = sum(p.stat().st_size for p in hf.glob("*.safetensors"))
    info = {"sizes": sizes, "seconds": timings}
    info_path.write_text(json.dumps(info, indent=2))
    return info


def export_vision(checkpoint: Path, folder: Path) -> None:
    """The checkpoint's vision tower as an any-size ONNX graph, float32 and int8 (what geor-export writes beside a GGUF model)."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from geor.export.onnx_export import trace_vision_any_size
    from geor.export.onnx_quantize import quantize_vision, write_vision_config

    folder.mkdir(exist_ok=True)
    model = AutoModelForImageTextToText.from_pretrained(checkpoint, dtype=torch.bfloat16, use_safetensors=True)
    write_vision_config(folder, trace_vision_any_size(model.model.visual, AutoProcessor.from_pretrained(checkpoint), folder / "vision.onnx"))
    del model
    quantize_vision(folder / "vision.onnx", folder / "vision-int8.onnx")


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


def _variant(runtime: str) -> tuple[str, int]:
    """"gguf-engine@144" -> ("gguf-engine", 144 image tokens); no suffix: 256 (448 x 448)."""
    name, _, tokens = runtime.partition("@")
    return name, int(tokens) if tokens else (SIDE // 28) ** 2


def _memory() -> dict[str, int]:
    """This process's peak RSS and, now, its anonymous and file-backed resident bytes (Linux)."""
    found = {"peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "VmHWM"):
                found[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return found


def _stage_clock(model: Any) -> dict[str, list[float]]:
    """Forward hooks on a transformers Qwen-VL: seconds in the vision tower, in the language model's
    first call per photo (the prefill) and in its later calls (one per generated token)."""
    inner = getattr(model, "model", model)
    clock: dict[str, list[float]] = {"vision": [], "lm": []}
    started: dict[str, float] = {}
    for name, module in (("vision", inner.visual), ("lm", inner.language_model)):
        module.register_forward_pre_hook(lambda m, a, name=name: started.__setitem__(name, time.perf_counter()))
        module.register_forward_hook(lambda m, a, out, name=name: clock[name].append(time.perf_counter() - started[name]))
    return clock


def measure(runtime: str, photos: list[Path], threads: int) -> dict:
    """Runs in its own process (see main)."""
    from geor.engine.cor import chat_messages, instruction
    from geor.engine.inference.backend import SamplingOptions
    from geor.engine.inference.images import load_image

    name, image_tokens = _variant(runtime)
    per_photo: list[float] = []
    tokens: list[int] = []
    stages: list[dict[str, Any]] = []
    t_load = time.perf_counter()
    if name == "gguf-bare":
        import base64

        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import MTMDChatHandler

        llama = Llama(str(CACHE / "model-Q4_K_M.gguf"), chat_handler=MTMDChatHandler(str(CACHE / "mmproj-Q8_0.gguf"), verbose=False),
                      n_ctx=4096, n_threads=threads, n_threads_batch=threads, n_gpu_layers=-1 if DEVICE == "cuda" else 0, verbose=False)
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
        memory = _memory()  # before close: what the model holds while it works
        llama.close()
    else:
        clock = None
        backend: Any
        if name.startswith("gguf-engine"):
            from geor.engine.inference.gguf_backend import GgufBackend

            flags = set(name.split("-")[2:])  # gguf-engine-FLAG-...: see RUNTIMES
            projector = "mmproj-f16.gguf" if "f16proj" in flags else "mmproj-Q8_0.gguf"
            vision = None if flags & {"projector", "f16proj"} else CACHE / "vision-onnx" / (
                "vision.onnx" if "fp32vision" in flags else "vision-int8.onnx")
            backend = GgufBackend(CACHE / "model-Q4_K_M.gguf", CACHE / projector, device=DEVICE, n_threads=threads,
                                  prefix_cache="nocache" not in flags, flash_attn="fa" in flags, vision_onnx=vision)
        else:
            from geor.engine.inference.transformers_backend import TransformersBackend

            backend = TransformersBackend(CACHE / "hf", device=DEVICE, dtype="bfloat16" if name.endswith("bf16") else "float32",
                                          n_threads=threads)
            clock = _stage_clock(backend.model)
        load_s = time.perf_counter() - t_load
        options = SamplingOptions(max_new_tokens=NEW_TOKENS)
        for photo in photos:
            t = time.perf_counter()
            image = load_image(photo, max_pixels=image_tokens * 28 * 28)
            generation = backend.generate(image, chat_messages(), 1, options)[0]
            per_photo.append(time.perf_counter() - t)
            tokens.append(len(generation.tokens))
            if clock is not None:  # transformers: the hooks' seconds for this photo
                stage = {"vision": sum(clock["vision"]), "prefill": clock["lm"][0], "generate": sum(clock["lm"][1:]),
                         "prefill_tokens": generation.prompt_tokens, "side": [image.height, image.width]}
                clock["vision"].clear()
                clock["lm"].clear()
            else:
                timings = generation.timings
                stage = {"vision": timings["vision"], "image_prefill": timings["image"] - timings["vision"], "prompt": timings["prompt"],
                         "generate": timings["generate"], "image_tokens": backend.last_tokens["image"],
                         "text_tokens": backend.last_tokens["text"], "side": [image.height, image.width]}
            stages.append(stage)
        memory = _memory()
        backend.close()
    return {"runtime": runtime, "load_s": load_s, "per_photo_s": per_photo, "tokens": tokens, "stages": stages, **memory}


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
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="cuda: the CUDA builds (benchmarks/gpu_check.sh)")
    parser.add_argument("--folder", action="store_true", help="the folder benchmark: model calls per scene on 1,000 photos (tiny model)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.folder:
        return folder_benchmark()
    global DEVICE
    DEVICE = os.environ["GEOR_BENCH_DEVICE"] = args.device  # the children run on it too
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
    log("measuring this machine's peaks")
    peaks = Peaks.measure(args.device)
    config = json.loads((CACHE / "hf" / "config.json").read_text())
    report(info, results, args.photos, peaks, config)
    (CACHE / "results.json").write_text(json.dumps({"info": info, "results": results, "peaks": peaks.__dict__}, indent=2))
    return 0


# -- the folder benchmark: model calls per scene ---------------------------------------------------

SCENES, PER_SCENE_PHOTOS, ODD_EVERY = 40, 25, 20  # 1,000 photos; every 20th shot looks unlike its scene (a sign, a menu)


def write_folder(folder: Path) -> None:
    """40 scenes of 25 photos (640 x 480), each a burst of one camera within a few minutes, hours apart."""
    import datetime as dt

    from tests.helpers.photo_files import make_photo, scene_pixels

    folder.mkdir(parents=True)
    t0 = dt.datetime(2024, 7, 14, 8, 0)
    for scene in range(SCENES):
        for shot in range(PER_SCENE_PHOTOS):
            odd = shot % ODD_EVERY == ODD_EVERY - 1
            pixels = scene_pixels(1000 + scene * PER_SCENE_PHOTOS + shot if odd else scene, shot, size=(640, 480))
            taken = t0 + dt.timedelta(hours=2 * scene, seconds=10 * shot)
            make_photo(folder / f"scene{scene:02d}_{shot:02d}.jpg", taken, model="Bench Cam", pixels=pixels)


def folder_benchmark() -> int:
    """``geor tag --model`` on a 1,000-photo folder of 40 scenes with the tiny taught model:
    model calls and wall time asking about every photo (--per-scene 0) and per scene (default)."""
    import shutil
    import tempfile

    from geor.engine.pipeline import JobStore

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers: the photos and the tiny model the tests use
    geor = shutil.which("geor", path=str(Path(sys.executable).parent))
    if geor is None:
        sys.exit("no geor command beside this Python (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ.setdefault("DS_ACCELERATOR", "cpu")  # transformers -> accelerate -> deepspeed would say so on stderr
        from tests.helpers.tiny_vlm import MAX_PIXELS, build

        log("building the tiny taught model")
        model = build(work / "model", taught=True).model
        log(f"writing {SCENES * PER_SCENE_PHOTOS} photos")
        write_folder(work / "photos")
        from geor.engine.geo.geocoder.default_location import default_pack_path

        pack = default_pack_path(progress=log)  # built once per machine: shared, not timed
        home = work / "home"
        (home / "regionpacks").mkdir(parents=True)
        (home / "regionpacks" / pack.name).symlink_to(pack)
        env = os.environ | {"GEOR_DATA_DIR": str(home)}
        rows = []
        for per_scene in (0, 3):
            log(f"geor tag --per-scene {per_scene}")
            t = time.perf_counter()
            done = subprocess.run([geor, "tag", str(work / "photos"), "--model", str(model), "--max-pixels", str(MAX_PIXELS), "--dry-run",
                                   "--new-job", "--per-scene", str(per_scene)], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - t
            if done.returncode != 0:
                sys.exit(done.stderr[-3000:])
            newest = max((home / "jobs").glob("*.sqlite"), key=lambda p: p.stat().st_mtime_ns)
            store = JobStore(newest)
            found, answered = store.photos(), store.predictions()
            store.close()
            asked = [row.relpath.decode() for row in found if row.id in answered]
            placed = sum(row.source == "model" for row in found)
            unlike = [a for a in asked if int(a[-6:-4]) % ODD_EVERY == ODD_EVERY - 1]
            per_planted = [sum(a.startswith(f"scene{k:02d}_") for a in asked if a not in unlike) for k in range(SCENES)]
            rows.append((per_scene, len(asked), max(per_planted), len(unlike), placed, seconds))
    photos = SCENES * PER_SCENE_PHOTOS
    print(f"# geor tag --model (tiny taught model, 16 image tokens) on {photos:,} photos: {SCENES} scenes of {PER_SCENE_PHOTOS}, "
          f"every {ODD_EVERY}th shot unlike its scene; {cpu_name()}, {cores()} cores")
    print("| --per-scene | model calls | most calls about one scene's alike shots | unlike shots asked on their own (of 40) | "
          "photos placed by the model | wall time |")
    print("|---:|---:|---:|---:|---:|---:|")
    for per_scene, calls, most, alone, placed, seconds in rows:
        print(f"| {per_scene} | {calls:,} | {most} | {alone} | {placed:,} | {seconds:.1f} s |")
    results = CACHE / "results.json"
    if results.is_file():  # what those calls cost with the real model's shapes, from the last run of this benchmark here
        engine = json.loads(results.read_text())["results"].get("gguf-engine")
        if engine:
            per_photo = steady(engine["per_photo_s"])
            print(f"\nAt Qwen2.5-VL-3B Q4_K_M's {per_photo:.1f} s per photo on this machine: "
                  + " vs ".join(f"{calls * per_photo / 3600:.1f} h" for _, calls, *_ in rows) + " of model time")
    return 0


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def steady(values: list[float]) -> float:
    """The mean after the first photo (which also fills caches), or the only one."""
    return mean(values[1:] or values)


def stage_rows(name: str, result: dict, config: dict, peaks: Peaks, sizes: dict) -> list[tuple[str, float, float, float, str]]:
    """(stage, seconds, FLOPs, share of its peak, which peak) per stage, after the first photo."""
    runs = result["stages"][1:] or result["stages"]
    base = _variant(name)[0]
    rows = []

    def add(stage: str, seconds: float, flops: float, peak: float, peak_name: str) -> None:
        rows.append((stage, seconds, flops, flops / seconds / peak if seconds > 0 else float("nan"), peak_name))

    height, width = runs[0]["side"]
    generated = mean([float(t) for t in result["tokens"][1:] or result["tokens"]])
    if base.startswith("gguf-engine"):
        float_vision = base.endswith(("-f16proj", "-fp32vision")) or peaks.float_name != "fp32 GEMM"
        vision_peak, vision_name = (peaks.fp32, peaks.float_name) if float_vision else (peaks.int8, "int8 GEMM")
        image, text = runs[0]["image_tokens"], mean([r["text_tokens"] for r in runs])
        add("vision encoder", mean([r["vision"] for r in runs]), vision_flops(config, height, width), vision_peak, vision_name)
        add("image tokens (prefill)", mean([r["image_prefill"] for r in runs]), prefill_flops(config, 0, image, False), peaks.int8, "int8 GEMM")
        add("text prompt (prefill)", mean([r["prompt"] for r in runs]), prefill_flops(config, image, int(text), True), peaks.int8, "int8 GEMM")
        weight_bytes = sizes["model-Q4_K_M.gguf"]
    else:
        prompt = runs[0]["prefill_tokens"]
        add("vision encoder", mean([r["vision"] for r in runs]), vision_flops(config, height, width), peaks.fp32, peaks.float_name)
        add("prompt (prefill)", mean([r["prefill"] for r in runs]), prefill_flops(config, 0, prompt, True), peaks.fp32, peaks.float_name)
        weight_bytes = sizes["safetensors"] * (2 if base.endswith("fp32") else 1)  # bf16 on disk
    seconds = mean([r["generate"] for r in runs])
    flops = sum(decoder_token_flops(config, 300 + i, True) for i in range(int(generated)))
    add(f"generation ({generated:.0f} tokens)", seconds, flops, peaks.int8 if base.startswith("gguf") else peaks.fp32,
        "int8 GEMM" if base.startswith("gguf") else peaks.float_name)
    rows.append(("generation: weights read", seconds, generated * weight_bytes, generated * weight_bytes / seconds / peaks.bandwidth
                 if seconds > 0 else float("nan"), "memory bandwidth"))
    return rows


def report(info: dict, results: dict, n: int, peaks: Peaks, config: dict) -> None:
    print(f"\n{peaks.device}; attainable here (measured in this run): {peaks.float_name} {peaks.fp32 / 1e9:,.0f} GFLOP/s, "
          f"int8 GEMM {peaks.int8 / 1e9:,.0f} GOP/s, memory read {peaks.bandwidth / 1e9:,.1f} GB/s")
    print(f"\nPer photo: {SIDE}x{SIDE} image (256 image tokens) + Chain-of-Region prompt + {NEW_TOKENS} new tokens; "
          f"{n} photos, {DEVICE if DEVICE == 'cuda' else f'{os.cpu_count()} threads'}")
    print("| runtime | first photo | mean of the rest | peak RSS | of it: anonymous / file-backed at the end |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        if "@" in name:
            continue
        split = f"{r.get('RssAnon', 0) / 2**30:.2f} / {r.get('RssFile', 0) / 2**30:.2f} GiB" if "RssAnon" in r else "-"
        print(f"| {name} | {r['per_photo_s'][0]:.1f} s | {steady(r['per_photo_s']):.1f} s | {r['peak_rss'] / 2**30:.2f} GiB | {split} |")
    base = results.get("gguf-engine")
    for peer in ("transformers-bf16", "transformers-fp32"):
        if base and peer in results:
            speed = steady(results[peer]["per_photo_s"]) / steady(base["per_photo_s"])
            memory = base["peak_rss"] / results[peer]["peak_rss"]
            print(f"engine GGUF Q4_K_M vs {peer}: {speed:.2f}x faster per photo, {memory:.2f} of its peak memory")
    if "gguf-bare" in results and "gguf-engine-projector-nocache" in results:
        overhead = mean(results["gguf-engine-projector-nocache"]["per_photo_s"]) / mean(results["gguf-bare"]["per_photo_s"]) - 1
        print(f"engine overhead over bare llama-cpp-python (prefix cache off): {overhead * 100:+.1f} %")
    if "gguf-engine-projector" in results and "gguf-engine-projector-nocache" in results:
        a = steady(results["gguf-engine-projector-nocache"]["per_photo_s"])
        b = steady(results["gguf-engine-projector"]["per_photo_s"])
        print(f"prefix cache: {a:.1f} s -> {b:.1f} s per photo after the first")
    if "gguf-engine-projector" in results and base:
        a, b = steady(results["gguf-engine-projector"]["per_photo_s"]), steady(base["per_photo_s"])
        print(f"vision encoder on onnxruntime (int8) instead of llama.cpp's projector: {a:.1f} s -> {b:.1f} s per photo ({a / b:.2f}x)")
    print("\nPer stage (after the first photo): work, time, achieved rate and its share of this machine's peak for that arithmetic")
    print("| runtime | stage | time | work | achieved | of peak |")
    print("|---|---|---:|---:|---:|---:|")
    for name, r in results.items():
        if not r.get("stages") or "@" in name:
            continue
        for stage, seconds, work, share, peak_name in stage_rows(name, r, config, peaks, info["sizes"]):
            if peak_name == "memory bandwidth":
                print(f"| {name} | {stage} | {seconds:.2f} s | {work / 1e9:,.1f} GB | {work / seconds / 1e9:,.1f} GB/s | {share * 100:.0f} % of {peak_name} |")
            else:
                print(f"| {name} | {stage} | {seconds:.2f} s | {work / 1e12:.3f} TFLOP | {work / seconds / 1e9:,.0f} GFLOP/s | {share * 100:.0f} % of {peak_name} |")
    budgets = {_variant(name)[1]: r for name, r in results.items() if _variant(name)[0] == "gguf-engine"}
    if len(budgets) > 1:
        print("\nImage budget (engine, GGUF Q4_K_M): per-photo time after the first")
        print("| image tokens | pixels | vision encoder | per photo |")
        print("|---:|---:|---:|---:|")
        for tokens, r in sorted(budgets.items(), reverse=True):
            h, w = r["stages"][-1]["side"]
            print(f"| {tokens} | {w} x {h} | {steady([s['vision'] for s in r['stages']]):.1f} s | {steady(r['per_photo_s']):.1f} s |")
    sizes = info["sizes"]
    print("\n| file | size |")
    print("|---|---:|")
    for name, size in sizes.items():
        print(f"| {name} | {size / 2**30:.2f} GiB |")


if __name__ == "__main__":
    sys.exit(main())
