"""NAME_angles.csv: every person's joint angles beside NAME_people.json, published with it or not at all."""
import csv
import json

import numpy as np
import pytest
import torch

from gtrs.body.joint_angles import ANGLE_NAMES
from gtrs.writers.results import PeopleJsonWriter
from tests.writers.test_viewer_frame import PERSON


@pytest.fixture(scope="module")
def reconstructor(anny_body):
    from gtrs.infer.predictor import Reconstructor
    from gtrs.models import create_model
    from gtrs.train.loop import front_view_template

    torch.manual_seed(0)
    return Reconstructor(create_model("cpu", front_view_template(anny_body)), body=anny_body)


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_predict_writes_a_row_of_angles_per_person_as_in_the_people_json(tmp_path, reconstructor):
    from gtrs.infer.predict import predict

    people = [{"keypoints": PERSON}, {"keypoints": "broken"}, {"keypoints": list(np.array(PERSON) * 1.1)}]
    (tmp_path / "p.json").write_text(json.dumps(people))
    summary = predict(tmp_path / "p.json", tmp_path / "out", formats=("angles",), render=False, show_progress=False,
                      reconstructor=reconstructor)
    assert summary.people == 2 and tmp_path / "out" / "p_angles.csv" in summary.written
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p_angles.csv", "p_people.json"]  # no per-person files
    rows = _rows(tmp_path / "out" / "p_angles.csv")
    records = json.loads((tmp_path / "out" / "p_people.json").read_text())["people"]
    assert list(rows[0]) == ["person", "source", "image", "mesh", *ANGLE_NAMES]
    assert [r["source"] for r in rows] == [r["source"] for r in records] and [r["mesh"] for r in rows] == ["fit"] * 2
    assert [[float(r[n]) for n in ANGLE_NAMES] for r in rows] == [[p["joint_angles_deg"][n] for n in ANGLE_NAMES]
                                                                  for p in records]


def test_the_angles_csv_appears_with_the_json_or_not_at_all(tmp_path):
    record = {"source": "a.json#0", "image": None, "mesh": "fit", "joint_angles_deg": {n: 1.5 for n in ANGLE_NAMES}}
    dropped = PeopleJsonWriter(tmp_path / "a_people.json", "a.json", "viewer", angles=True)
    dropped.add(record)
    dropped.close(keep=False)
    assert list(tmp_path.iterdir()) == []  # neither file, nor a temporary one
    kept = PeopleJsonWriter(tmp_path / "a_people.json", "a.json", "viewer", angles=True)
    kept.add(record)
    kept.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_angles.csv", "a_people.json"]
    assert _rows(tmp_path / "a_angles.csv")[0]["trunk_lean"] == "1.5"
