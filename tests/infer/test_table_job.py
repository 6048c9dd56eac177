"""Table jobs on the local engine (issue #32): people as Parquet that pandas, pyarrow and DuckDB read,
the same people and numbers as ``gtrs predict``, bad records reported, a killed job resumed without
duplicates, and a folder that holds another job refused."""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.robustness.test_predict_faults import GTRS, people_file

pyarrow = pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """A COCO results list of 40 people, one record of them bad (a string for keypoints)."""
    folder = tmp_path_factory.mktemp("crowd")
    path = people_file(folder / "crowd.json", 40, seed=3)
    records = json.loads(path.read_text())
    records[7]["keypoints"] = "broken"
    path.write_text(json.dumps(records))
    return path


@pytest.fixture(scope="module")
def classic(crowd, tmp_path_factory):
    """What ``gtrs predict`` writes for the crowd (JSON only, float32: comparable to 1e-5)."""
    from gtrs.infer.predict import predict

    out = tmp_path_factory.mktemp("classic")
    summary = predict(crowd, out, formats=(), render=False, show_progress=False, precision="float32")
    return json.loads((out / "crowd_people.json").read_text())["people"], summary.errors


def _numbers(values) -> np.ndarray:
    """Nested lists, or the object arrays of arrays pandas gives for list columns, as one float array."""
    return np.array([np.stack(v) if isinstance(v, np.ndarray) and v.dtype == object else v for v in values], dtype=float)


def assert_rows_equal_records(rows, records):
    """Equal to 5e-5 (metres: 0.05 mm, or relative for people metres away): the body fit's iterations
    run per batch, so people batched differently differ in the last float32 digits, and a fit step
    whose cost barely changes can then be taken in one batching and refused in the other (seen: 18
    micrometres on a person's shoulder between Ray's blocks and the local batches)."""
    assert list(rows["source"]) == [r["source"] for r in records]
    for name in ("joints_coco19", "joints_h36m17", "translation", "keypoints_2d_coco19"):
        got, want = _numbers(list(rows[name])), _numbers([r[name] for r in records])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=5e-5, err_msg=name)
    np.testing.assert_allclose(rows["focal_px"], [r["focal_px"] for r in records])


def test_parquet_holds_every_person_of_predict_with_their_body(crowd, classic, tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    from gtrs import read_people
    from gtrs.infer.table_job import predict_table
    from gtrs.writers.parquet import PARQUET_SCHEMA_VERSION, part_metadata

    records, errors = classic
    summary = predict_table(crowd, tmp_path, ("parquet",), block_size=16, show_progress=False, precision="float32")
    assert summary.people == 39 == len(records)
    assert summary.errors == errors and any("#7" in e for e in errors)  # the bad record, in predict's words
    folder = tmp_path / "people.parquet"
    parts = sorted(folder.glob("part-*.parquet"))
    assert [p.name for p in parts] == ["part-000000.parquet", "part-000001.parquet", "part-000002.parquet"]
    assert not (tmp_path / "crowd_people.json").exists()  # the table replaces the per-input JSON

    rows = read_people(folder)
    assert_rows_equal_records(rows, records)
    assert list(rows["record"]) == list(range(39)) and set(rows["mesh"]) == {"fit"}
    shape = rows["shape"].iloc[0]
    assert set(shape) == {"gender", "age", "muscle", "weight", "height", "proportions"}
    meta = part_metadata(parts[0])
    assert meta["schema_version"] == PARQUET_SCHEMA_VERSION and len(meta["bone_names"]) == len(rows["bone_rotations_xyzw"][0])
    quats = np.stack(rows["bone_rotations_xyzw"][0])
    np.testing.assert_allclose(np.linalg.norm(quats, axis=1), 1.0, atol=1e-6)

    table = pq.read_table(folder)  # pyarrow reads the folder as one dataset (the job file is ignored)
    assert table.num_rows == 39
    con = duckdb.connect()
    count, mean_age, first = con.execute(
        f"SELECT count(*), avg(shape.age), min(source) FROM read_parquet('{folder}/*.parquet')").fetchone()
    assert count == 39 and 0 < mean_age < 1 and first.endswith("#0")
    joints = con.execute(f"SELECT joints_coco19 FROM read_parquet('{folder}/*.parquet') ORDER BY record LIMIT 1").fetchone()[0]
    np.testing.assert_allclose(np.array(joints), np.array(records[0]["joints_coco19"]), atol=1e-5)


def test_json_only_table_job_writes_predicts_people_json(crowd, classic, tmp_path):
    from gtrs.infer.table_job import predict_table

    import csv

    from gtrs.body.joint_angles import ANGLE_NAMES

    records, _ = classic
    summary = predict_table(crowd, tmp_path, ("angles",), block_size=16, show_progress=False, precision="float32")
    written = json.loads((tmp_path / "crowd_people.json").read_text())
    assert summary.people == 39 and [r["source"] for r in written["people"]] == [r["source"] for r in records]
    for got, want in zip(written["people"], records):
        assert got.keys() == want.keys()
        np.testing.assert_allclose(got["joints_coco19"], want["joints_coco19"], rtol=0, atol=1e-5)
    assert not (tmp_path / ".people_blocks").exists()  # the work folder is gone
    # with 'angles', a row per person of the joint angles, as in the people JSON
    with open(tmp_path / "crowd_angles.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tmp_path / "crowd_angles.csv" in summary.written
    assert list(rows[0]) == ["person", "source", "image", "mesh", *ANGLE_NAMES] and len(rows) == 39
    assert [r["source"] for r in rows] == [r["source"] for r in records] and rows[5]["person"] == "5"
    np.testing.assert_allclose([[float(r[n]) for n in ANGLE_NAMES] for r in rows],
                               [[w["joint_angles_deg"][n] for n in ANGLE_NAMES] for w in records], atol=0.05)


def test_mesh_column_and_files_beside_the_table(tmp_path):
    from gtrs import read_people
    from gtrs.infer.table_job import predict_table

    source = people_file(tmp_path / "two.json", 2)
    predict_table(source, tmp_path / "out", ("parquet", "obj"), vertices=True, show_progress=False)
    rows = read_people(tmp_path / "out" / "people.parquet")
    vertices = np.stack(rows["vertices"][1]).astype(float)
    assert vertices.shape == (13718, 3)
    obj = [line.split()[1:] for line in (tmp_path / "out" / "two_1.obj").read_text().splitlines() if line.startswith("v ")]
    np.testing.assert_allclose(vertices, np.array(obj, dtype=float), atol=2e-6)  # the same mesh (OBJ: 6 decimals)


def test_a_finished_or_foreign_job_is_not_replaced_without_overwrite(crowd, tmp_path):
    from gtrs.infer.table_job import TableJobError, predict_table

    small = people_file(tmp_path / "small.json", 3)
    predict_table(small, tmp_path / "out", ("parquet",), show_progress=False)
    with pytest.raises(TableJobError, match="exists; pass --overwrite"):
        predict_table(small, tmp_path / "out", ("parquet",), show_progress=False)
    manifest = tmp_path / "out" / "people.parquet" / "_gtrs_job.json"
    job = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(job | {"complete": False}))  # an unfinished job of other inputs
    with pytest.raises(TableJobError, match="other inputs or options"):
        predict_table(crowd, tmp_path / "out", ("parquet",), show_progress=False)
    summary = predict_table(crowd, tmp_path / "out", ("parquet",), overwrite=True, show_progress=False)
    assert summary.people == 39


def test_a_killed_job_resumes_to_every_person_once(crowd, classic, tmp_path):
    """Killed after its first part, the job is rerun: the parts written stay as they are, the rest is
    computed, and every person is in the table exactly once."""
    from gtrs import read_people

    records, _ = classic
    out = tmp_path / "out"
    args = [*GTRS, "predict", str(crowd), "--out", str(out), "--formats", "parquet", "--block-size", "8",
            "--precision", "float32"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while proc.poll() is None and time.time() < deadline and not list((out / "people.parquet").glob("part-*.parquet")):
        time.sleep(0.05)
    assert proc.poll() is None, "the job ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first = {p.name: p.stat().st_mtime_ns for p in (out / "people.parquet").glob("part-*.parquet")}
    assert 1 <= len(first) < 5
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "39 people (" in rerun.stdout and "finished by the interrupted run" in rerun.stdout
    assert "#7" in rerun.stderr  # the bad record is still reported
    parts = {p.name: p.stat().st_mtime_ns for p in (out / "people.parquet").glob("part-*.parquet")}
    assert len(parts) == 5 and all(parts[name] == mtime for name, mtime in first.items())
    assert not list((out / "people.parquet").glob(".*"))  # no temporary left
    assert_rows_equal_records(read_people(out / "people.parquet"), records)


def test_cli_refuses_options_that_do_not_fit_together(crowd, tmp_path):
    for args, message in ((["--engine", "spark"], "--engine must be one of"),
                          (["--workers", "2"], "--workers is an option of --engine ray"),
                          (["--formats", "parquet", "--render"], "--render is not available with --formats parquet"),
                          (["--engine", "ray", "--html"], "--html is not available with --engine ray"),
                          (["--mesh-column"], "--mesh-column needs --formats parquet"),
                          (["--formats", "parquet,angles"], "--formats angles writes NAME_angles.csv")):
        done = subprocess.run([*GTRS, "predict", str(crowd), "--out", str(tmp_path / "o"), *args],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
