"""Written meshes open upright in glTF viewers: +Y up, the person facing +Z, with vertex normals."""
import json
import struct
import subprocess
import sys

import numpy as np
import trimesh

from tests.gltf_reader import skinned_vertices

PERSON = [300, 100, 2, 310, 95, 2, 290, 95, 2, 320, 100, 2, 280, 100, 2, 340, 150, 2, 260, 150, 2, 350, 210, 2,
          250, 210, 2, 355, 260, 2, 245, 260, 2, 325, 270, 2, 275, 270, 2, 330, 360, 2, 270, 360, 2, 335, 450, 2,
          265, 450, 2]  # a person facing the camera: their left shoulder on the image's right


def _glb_json(path):
    data = path.read_bytes()
    length = struct.unpack("<I", data[12:16])[0]
    return json.loads(data[20:20 + length])


def test_glb_is_upright_facing_plus_z_with_normals_and_camera_frame_on_request(tmp_path, anny_body):
    (tmp_path / "p.json").write_text(json.dumps([{"keypoints": PERSON}]))
    for frame in ("viewer", "camera"):
        result = subprocess.run([sys.executable, "-m", "gtrs.cli", "predict", str(tmp_path / "p.json"), "--out",
                                 str(tmp_path / frame), "--no-render", "--frame", frame], capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, result.stderr
    joints = json.loads((tmp_path / "viewer" / "p_0_joints.json").read_text())
    assert joints["frame"].startswith("viewer")
    j = {k: np.array(v) for k, v in joints["joints_coco19"].items()}
    assert j["nose"][1] > j["pelvis"][1] > j["left_ankle"][1]  # head above feet along +Y
    assert j["nose"][2] > 0.5 * (j["left_ear"][2] + j["right_ear"][2])  # the face points to +Z
    assert j["left_shoulder"][0] > j["right_shoulder"][0]  # seen from the front: the left side is at +X
    glb = skinned_vertices(tmp_path / "viewer" / "p_0.glb")  # the fitted body's GLB is skinned: pose it
    ys = glb[:, 1]
    assert ys.max() - ys.min() > 1.0  # a standing adult, along Y
    attributes = _glb_json(tmp_path / "viewer" / "p_0.glb")["meshes"][0]["primitives"][0]["attributes"]
    assert "NORMAL" in attributes
    assert any(line.startswith("vn ") for line in (tmp_path / "viewer" / "p_0.obj").read_text().splitlines()[:50000])
    camera = skinned_vertices(tmp_path / "camera" / "p_0.glb")
    np.testing.assert_allclose(camera * [1, -1, -1], glb, atol=1e-5)
    obj = trimesh.load(tmp_path / "viewer" / "p_0.obj", process=False)
    assert np.median(np.linalg.norm(obj.vertices - glb, axis=1)) < 0.001  # the OBJ is the same body
    # joint angles are the body's, whatever the axes the files are written in
    from gtrs.body.joint_angles import ANGLE_NAMES, joint_angles

    cam = json.loads((tmp_path / "camera" / "p_0_joints.json").read_text())
    expected = joint_angles(np.array(list(cam["joints_coco19"].values())))
    for folder in ("viewer", "camera"):
        angles = json.loads((tmp_path / folder / "p_0_joints.json").read_text())["joint_angles_deg"]
        person = json.loads((tmp_path / folder / "p_people.json").read_text())["people"][0]
        assert list(angles) == list(ANGLE_NAMES) and person["joint_angles_deg"] == angles
        assert all(abs(angles[n] - expected[n]) < 0.01 for n in ANGLE_NAMES)


def test_obj_numbers_read_back_as_written_with_every_sign_and_size():
    from gtrs.writers.results import obj_lines

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(scale=s, size=(200, 3)) for s in (1e-7, 0.01, 1.0, 20.0)])
    values[:3] = [[0.0, -0.0, 99.49], [-99.49, 9.9999996, -9.9999996], [-5e-7, 5e-7, 1e-9]]
    for decimals in (4, 6):
        text = obj_lines(b"v", values, decimals).decode()
        lines = text.splitlines()
        assert len(lines) == len(values) and all(line.split()[0] == "v" for line in lines)
        back = np.array([[float(x) for x in line.split()[1:]] for line in lines])
        assert np.abs(back - values).max() <= 0.5001 * 10.0 ** -decimals
        # same numbers as Python's own formatting
        reference = np.array([[float(f"{x:.{decimals}f}") for x in row] for row in values])
        assert np.array_equal(back, reference)
    big = np.array([[150.0, -2.5, 0.0]])  # beyond the fixed width: Python's formatting
    assert obj_lines(b"v", big, 6).decode() == "v 150.000000 -2.500000 0.000000\n"
