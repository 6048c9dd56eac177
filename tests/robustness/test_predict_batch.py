"""A folder of good and bad keypoint files: every good person is written, every bad file or record is
named on one line, the run exits 0; bad options stop the run before anything is written."""
import json
import subprocess
import sys

import numpy as np

PERSON = [300, 100, 2, 310, 95, 2, 290, 95, 2, 320, 100, 2, 280, 100, 2, 340, 150, 2, 260, 150, 2, 350, 210, 2,
          250, 210, 2, 355, 260, 2, 245, 260, 2, 325, 270, 2, 275, 270, 2, 330, 360, 2, 270, 360, 2, 335, 450, 2,
          265, 450, 2]


def gtrs(*args):
    return subprocess.run([sys.executable, "-m", "gtrs.cli", *args], capture_output=True, text=True, timeout=600)


def test_bad_files_are_named_and_skipped_and_the_good_ones_written(tmp_path, anny_body):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps([{"image_id": 7, "keypoints": PERSON},
                                                  {"image_id": 7, "keypoints": [[], False]}]))
    np.save(folder / "good_array.npy", np.asarray(PERSON, dtype=np.float32).reshape(17, 3))
    bad = {
        "ragged.json": json.dumps([{"keypoints": [[], False]}]),
        "dict_keypoints.json": json.dumps([{"keypoints": {}}]),
        "people_zero.json": json.dumps({"people": 0}),
        "huge_int.json": '[{"keypoints": [' + "9" * 400 + "]}]",
        "list_image_id.json": json.dumps([{"image_id": [], "keypoints": PERSON}]),
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "empty_list.json": "[]",
        "num_keypoints_string.json": json.dumps({"annotations": [{"keypoints": PERSON, "num_keypoints": "0"}]}),
        "width_abc.json": json.dumps({"images": [{"id": 1, "width": "abc", "height": 480}],
                                      "annotations": [{"image_id": 1, "keypoints": PERSON}]}),
        "one_point.json": json.dumps([{"keypoints": [320, 240, 1] * 17}]),
        "far_away.json": json.dumps([{"keypoints": [1e300, 1e300, 1] * 17}]),
    }
    for name, text in bad.items():
        (folder / name).write_text(text)
    (folder / "latin1.json").write_bytes(b'[{"keypoints": "\xe9\xe8"}]')
    np.save(folder / "strings.npy", np.full((17, 3), "ab"))
    np.save(folder / "structured.npy", np.zeros(17, dtype=[("x", "f4"), ("y", "f4")]))
    (folder / "corrupt.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'," + b"\0" * 20)
    result = gtrs("predict", str(folder), "--out", str(tmp_path / "out"), "--formats", "obj", "--no-render")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    bad_names = [*bad, "latin1.json", "strings.npy", "structured.npy", "corrupt.npy"]
    for name in bad_names:
        assert sum(name in line for line in skipped) >= 1, (name, result.stderr)
    assert any("good.json#1" in line for line in skipped)  # the bad record of a good file
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "good_0.obj" in written and "good_array_0.obj" in written
    assert result.stdout.strip().startswith("2 people")
    for obj in (tmp_path / "out").glob("*.obj"):
        v = np.array([line.split()[1:4] for line in obj.read_text().splitlines() if line.startswith("v ")], dtype=float)
        assert np.isfinite(v).all() and (v[:, 2] < 0).all()  # viewer frame: in front of the camera is -z


def test_bad_options_stop_before_anything_is_written(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"keypoints": PERSON}]))
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    not_onnx = tmp_path / "model.onnx"
    not_onnx.write_text("not a model")
    for args, message in ((["--formats", "obj,stl"], "--formats: unknown stl"),
                          (["--focal", "nan"], "--focal must be a positive number"),
                          (["--focal", "-100"], "--focal must be a positive number"),
                          (["--focal", "0"], "--focal must be a positive number"),
                          (["--out", str(a_file)], "is a file; give a folder"),
                          (["--onnx", str(tmp_path / "missing.onnx")], "no such file"),
                          (["--onnx", str(not_onnx)], "not a loadable ONNX model")):
        out = ["--out", str(tmp_path / "out")] if "--out" not in args else []
        result = gtrs("predict", str(good), *out, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        assert sum(line.startswith("error: ") for line in result.stderr.splitlines()) == 1, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.obj"))


def test_outputs_never_collide_or_overwrite_silently(tmp_path, anny_body):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps([{"keypoints": PERSON}]))
    np.save(folder / "a.npy", np.asarray(PERSON, dtype=np.float32).reshape(17, 3))
    args = ("predict", str(folder), "--out", str(tmp_path / "out"), "--formats", "obj", "--no-render")
    first = gtrs(*args)
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["a_json_0.obj", "a_json_0_joints.json", "a_json_people.json", "a_npy_0.obj",
                     "a_npy_0_joints.json", "a_npy_people.json"]
    assert first.stdout.strip().startswith("2 people -> 6 files")
    again = gtrs(*args)
    assert again.returncode == 2 and "exists; pass --overwrite" in again.stderr
    replaced = gtrs(*args, "--overwrite")
    assert replaced.returncode == 0 and replaced.stdout.strip().startswith("2 people")


def test_an_image_over_the_decompression_bomb_limit_is_refused_in_one_line(tmp_path):
    import struct
    import zlib

    from gtrs.readers.detector import load_image
    from gtrs.readers.keypoints import KeypointFileError

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)  # 900 M pixels, RGB
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    try:
        load_image(path)
    except KeypointFileError as e:
        assert "bomb.png: image too large" in str(e)
    else:
        raise AssertionError("a 900-megapixel header was opened")


def test_one_json_per_input_holds_every_person_and_json_only_writes_nothing_else(tmp_path, anny_body):
    people = [{"image_id": i, "keypoints": (np.asarray(PERSON) + [i, 0, 0] * 17).tolist()} for i in range(70)]
    people.insert(5, {"image_id": 99, "keypoints": [1, 2, 3]})  # a bad record in the middle of a batch
    (tmp_path / "results.json").write_text(json.dumps(people))
    result = gtrs("predict", str(tmp_path / "results.json"), "--out", str(tmp_path / "out"), "--formats", "none",
                  "--no-render")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["results_people.json"]
    report = json.loads((tmp_path / "out" / "results_people.json").read_text())
    assert report["schema_version"] == 1 and report["frame"].startswith("viewer")
    assert len(report["people"]) == 70 and report["people"][5]["source"].endswith("#6")
    first = report["people"][0]
    assert np.asarray(first["joints_coco19"]).shape == (19, 3) and np.asarray(first["keypoints_2d_coco19"]).shape == (19, 3)
    assert first["reprojection_error_px"] < 50 and first["translation"][2] < 0
    assert "results.json#5" in result.stderr
