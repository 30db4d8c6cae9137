"""The package layout promised in the README: namespaced imports, light runtime, listed packages."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = {"engine": "geor.engine", "training": "geor.training", "export": "geor.export", "desktop": "geor.desktop"}
RUNTIME = ("geor.engine", "geor.desktop")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed():
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for folder, name in PARTS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    assert found == listed


def test_package_dirs_map_the_design_card_folders():
    assert pyproject()["tool"]["setuptools"]["package-dir"] == {name: folder for folder, name in PARTS.items()}


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_imports_are_namespaced_not_bare(tmp_path):
    code = (
        "import importlib.util as u\n"
        "assert u.find_spec('geor.engine') is not None\n"
        "for bare in ('engine', 'training', 'export', 'desktop'):\n"
        "    assert u.find_spec(bare) is None, bare\n"
    )
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# The import statements are a declared contract ([tool.importlinter] in pyproject.toml, run by `make test`: the
# engine imports nothing from training, export or desktop; the runtime imports no torch stack). The tests below
# check what the runtime loads when it runs, dynamic imports included.
def test_runtime_never_imports_torch(tmp_path):
    code = (
        "import importlib, pkgutil, sys\n"
        f"for root in {RUNTIME!r}:\n"
        "    package = importlib.import_module(root)\n"
        "    for info in pkgutil.walk_packages(package.__path__, root + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "from geor.engine.cli import main\n"
        "main(['distance', '0', '0', '1', '1'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'trl', 'peft'))\n"
        "assert not heavy, heavy\n"
    )
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_console_scripts():
    assert pyproject()["project"]["scripts"] == {
        "geor": "geor.engine.cli:main", "geor-export": "geor.export.cli:main", "geor-train": "geor.training.cli:main",
    }
    assert pyproject()["project"]["gui-scripts"] == {"geor-desktop": "geor.desktop.app:main"}


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("##")[0] and "make demo" in readme.split("##")[0]
    lines = ci.strip().splitlines()
    assert "make test" in lines and lines.index("make test") < lines.index("make bundle-smoke")


def test_wheel_installs_under_geor_only(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    import zipfile

    (wheel,) = tmp_path.glob("geor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"geor", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    assert "geor/engine/cli/__init__.py" in names and "geor/engine/geo/_kernels.py" in names
    assert not any(name.startswith("geor/__init__") for name in names)  # namespace package


def test_predict_with_a_gguf_model_never_imports_torch_nor_opens_a_connection(tmp_path, tiny_vlm, geor_home):
    from PIL import Image

    Image.new("RGB", (112, 112), (1, 2, 3)).save(tmp_path / "p.jpg")
    code = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('the runtime opened a network connection')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from geor.engine.cli import main\n"
        f"assert main(['predict', {str(tmp_path / 'p.jpg')!r}, '--model', {str(tiny_vlm.model)!r}, '--max-pixels', '12544']) == 0\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'trl', 'peft'))\n"
        "assert not heavy, heavy\n"
    )
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Japan > Hokkaido > Biei" in result.stdout
