import math

import pytest

from geor.engine.csv_files import CsvFileError
from geor.engine.predictions import PredictionsFileError, score_predictions_csv


def write(tmp_path, text: str, name: str = "p.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_and_coordinate_columns(tmp_path):
    path = write(tmp_path, 'lat,lon,output\n0,0,"Coordinates: (0, 0)"\n0,0,"no idea"\n')
    scored = score_predictions_csv(path)
    assert scored.metrics.count == 2 and scored.metrics.unparsed == 1
    assert scored.failures == {"no_coordinates": 1}
    path = write(tmp_path, "lat,lon,pred_lat,pred_lon\n0,0,0,1\n0,0,,\n0,0,100,0\n", "q.csv")
    scored = score_predictions_csv(path)
    assert scored.metrics.unparsed == 2 and scored.failures == {"invalid_coordinates": 2}


def test_bad_truth_rows_are_reported_by_line_and_skipped(tmp_path):
    path = write(tmp_path, 'lat,lon,output\n0,0,"(0, 0)"\nabc,0,"(0, 0)"\n95,0,"(0,0)"\n,,x\n')
    scored = score_predictions_csv(path)
    assert scored.metrics.count == 1
    assert [row.split(":")[0] for row in scored.skipped_rows] == ["line 3", "line 4", "line 5"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lat,output\n0,x\n", "no column 'lon'"),
        ("lat,lon\n0,0\n", "needs a 'output' column"),
        ("lat,lon,output\n", "no rows with a valid true position"),
        ("lat,lon,output\nx,y,z\n", "no rows with a valid true position"),
    ],
)
def test_unusable_files(tmp_path, content, message):
    with pytest.raises(PredictionsFileError, match=message):
        score_predictions_csv(write(tmp_path, content))


def test_missing_folder_and_binary_files(tmp_path):
    with pytest.raises(CsvFileError, match="no such file"):
        score_predictions_csv(tmp_path / "nope.csv")
    with pytest.raises(CsvFileError, match="is a folder"):
        score_predictions_csv(tmp_path)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(CsvFileError, match="not readable as UTF-8|not a readable UTF-8"):
        score_predictions_csv(binary)


def test_utf8_bom_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes('\ufefflat,lon,output\n1,1,"(1, 1)"\n'.encode("utf-8"))
    assert math.isclose(score_predictions_csv(path).metrics.mean_km, 0.0, abs_tol=1e-9)
