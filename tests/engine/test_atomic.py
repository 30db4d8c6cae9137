import os
import stat

import pytest

from geor.engine.atomic import atomic_binary_writer, atomic_text_writer


def test_new_files_get_the_usual_mode_and_replaced_files_keep_theirs(tmp_path):
    umask = os.umask(0o022)
    try:
        with atomic_text_writer(tmp_path / "new.csv") as out:
            out.write("a,b\n")
        assert stat.S_IMODE(os.stat(tmp_path / "new.csv").st_mode) == 0o644
        os.chmod(tmp_path / "new.csv", 0o600)
        with atomic_binary_writer(tmp_path / "new.csv") as out:
            out.write(b"c,d\n")
        assert stat.S_IMODE(os.stat(tmp_path / "new.csv").st_mode) == 0o600
        assert (tmp_path / "new.csv").read_bytes() == b"c,d\n"
    finally:
        os.umask(umask)


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_text_writer(target) as out:
            out.write("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        with atomic_text_writer(tmp_path / "nope" / "x.csv"):
            pass
