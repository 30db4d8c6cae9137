"""The error contract (engine/errors.py): the user's errors are UserError (or OSError), and the
edges treat everything else as a bug. Each command-line tool is driven through a user error and
through an injected bug; the desktop's edge is tested in tests/desktop/test_error_edge.py."""

import importlib
import inspect
import pkgutil

import pytest

from geor.engine.cli import EXIT_BAD_INPUT, EXIT_INTERNAL
from geor.engine.cli import main as geor_main
from geor.engine.errors import BadInput, BadOption, MissingComponent, UserError, user_message

#: Exceptions that are signals between parts of Geo-R, never shown to anyone.
CONTROL_FLOW = {"JobCancelled", "DownloadCancelled"}


def _modules(package):
    yield package.__name__
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield info.name


def _exception_classes(package):
    for name in _modules(package):
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                yield cls


@pytest.mark.parametrize("package_name", ["geor.engine", "geor.training", "geor.export", "geor.desktop"])
def test_every_error_geor_defines_is_a_user_error(package_name):
    package = importlib.import_module(package_name)
    classes = list(_exception_classes(package))
    assert classes or package_name == "geor.desktop"
    strays = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, UserError) and c.__name__ not in CONTROL_FLOW]
    assert not strays, f"errors outside the contract (derive them from engine.errors' kinds): {strays}"


def test_the_kinds_are_also_the_builtins_library_callers_catch():
    assert issubclass(BadInput, ValueError) and issubclass(BadOption, ValueError) and issubclass(MissingComponent, RuntimeError)


def test_an_os_error_names_its_path_first(tmp_path):
    try:
        (tmp_path / "gone.jpg").read_bytes()
    except OSError as exc:
        assert user_message(exc) == f"{tmp_path / 'gone.jpg'}: No such file or directory"
    assert user_message(BadInput("photo.jpg: not a photo")) == "photo.jpg: not a photo"


def _injected_bug(*args, **kwargs):
    raise KeyError("a bug planted by the test")


def test_geor_user_error_is_exit_1_with_the_message(capsys):
    assert geor_main(["distance", "91", "0", "0", "0"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("geor distance: error: ") and "latitude is 91.0" in err and "internal error" not in err


def test_geor_missing_file_is_an_os_error_for_the_user(capsys, tmp_path):
    assert geor_main(["where", "--csv", str(tmp_path / "none.csv"), "--out", str(tmp_path / "out.csv")]) == EXIT_BAD_INPUT
    assert str(tmp_path / "none.csv") in capsys.readouterr().err


def test_geor_a_bug_is_exit_70_and_debug_shows_it(capsys, monkeypatch):
    from geor.engine.cli import distance

    monkeypatch.setattr(distance, "run", _injected_bug)
    assert geor_main(["distance", "1", "2", "3", "4"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "geor distance: internal error: KeyError" in err and "--debug" in err
    with pytest.raises(KeyError):
        geor_main(["--debug", "distance", "1", "2", "3", "4"])


def test_geor_a_value_error_from_a_bug_is_not_taken_for_bad_input(capsys, monkeypatch):
    """Before the contract, any ValueError was shown as the user's fault (exit 1)."""
    from geor.engine.cli import distance

    def bug(args):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(distance, "run", bug)
    assert geor_main(["distance", "1", "2", "3", "4"]) == EXIT_INTERNAL
    assert "internal error: ValueError" in capsys.readouterr().err


def test_geor_train_user_error_and_bug(capsys, monkeypatch, tmp_path):
    from geor.training import cli

    assert cli.main(["launch", "sft", str(tmp_path / "missing.yaml")]) == EXIT_BAD_INPUT
    assert "geor-train launch: error:" in capsys.readouterr().err
    monkeypatch.setattr(cli, "_launch", _injected_bug)
    assert cli.main(["launch", "sft", str(tmp_path / "missing.yaml")]) == EXIT_INTERNAL
    assert "geor-train launch: internal error: KeyError" in capsys.readouterr().err


def test_geor_export_user_error_and_bug(capsys, monkeypatch, tmp_path):
    from geor.export import cli

    assert cli.main([str(tmp_path / "no-checkpoint"), "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "error:" in err and "no-checkpoint" in err and "internal error" not in err
    monkeypatch.setattr(cli, "_export", _injected_bug)
    assert cli.main([str(tmp_path / "no-checkpoint"), "--out", str(tmp_path / "out")]) == EXIT_INTERNAL
    assert "internal error: KeyError" in capsys.readouterr().err


def test_ctrl_c_says_interrupted_and_whether_running_again_resumes(capsys, monkeypatch, tmp_path):
    from geor.engine.cli import distance, tag

    def pressed_ctrl_c(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(tag, "run_tag", pressed_ctrl_c)
    monkeypatch.setattr(distance, "run", pressed_ctrl_c)
    assert geor_main(["tag", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "geor tag: interrupted (run the same command again to resume)"
    assert geor_main(["distance", "1", "2", "3", "4"]) == 130
    assert capsys.readouterr().err.strip() == "geor distance: interrupted"  # nothing to resume

    from geor.training import cli as train_cli

    monkeypatch.setattr(train_cli, "_train", pressed_ctrl_c)
    assert train_cli.main(["sft", str(tmp_path / "run.yaml")]) == 130
    assert capsys.readouterr().err.strip() == "geor-train sft: interrupted (run the same command again to resume)"
