"""The Reconstructor and `gtrs predict` with a small untrained network (the shipped one is tested
for accuracy by `gtrs evaluate`, not here)."""
import json

import numpy as np
import pytest
import torch

from gtrs.infer.predict import predict
from gtrs.infer.predictor import Reconstructor
from gtrs.models import create_model
from gtrs.train.loop import front_view_template


@pytest.fixture(scope="module")
def reconstructor(anny_body):
    torch.manual_seed(0)
    return Reconstructor(create_model("cpu", front_view_template(anny_body)), body=anny_body)


def keypoints(anny_body, n=2):
    """COCO-19 keypoints of real bodies seen by a camera 3 m away."""
    out = anny_body(anny_body.identity_rotations(n), joint_set="coco19")
    cam = out.joints * torch.tensor([1.0, -1.0, -1.0]) + torch.tensor([0.0, 0.0, 3.0])
    px = cam[..., :2] / cam[..., 2:] * 1000 + 500
    return torch.cat([px, torch.ones_like(px[..., :1])], -1).numpy()


def test_people_are_placed_in_front_of_the_camera_with_faces_and_joints(reconstructor, anny_body):
    kp = keypoints(anny_body)
    people = reconstructor(kp, focal=1000.0, image_size=(1000, 1000))
    assert len(people) == 2
    p = people[0]
    assert p.vertices.shape == (anny_body.num_vertices, 3) and p.faces.shape == (27420, 3)
    assert p.translation[2] > 0.5 and (p.vertices[:, 2] > 0).all()
    torch.testing.assert_close(torch.as_tensor(p.joints - p.translation),
                               anny_body.regress_joints(torch.as_tensor(p.vertices - p.translation)[None].float(),
                                                        "coco19")[0].double(), atol=1e-4, rtol=0)


def test_precision_float32_is_the_network_itself_and_bfloat16_stays_close(reconstructor, anny_body):
    kp = torch.as_tensor(keypoints(anny_body, n=3), dtype=torch.float32)
    exact = Reconstructor(reconstructor.model, body=anny_body, precision="float32")
    with torch.no_grad():
        direct, pose = reconstructor.model(kp)
    vertices, pose3d = exact.run_network(kp)
    assert vertices.dtype == torch.float32 and torch.equal(vertices, direct) and torch.equal(pose3d, pose)
    half = Reconstructor(reconstructor.model, body=anny_body, precision="bfloat16")
    assert half.autocast_dtype == torch.bfloat16
    approx, _ = half.run_network(kp)
    assert approx.dtype == torch.float32 and not torch.equal(approx, direct)
    assert (approx - direct).norm(dim=-1).mean() < 0.01  # under 1 cm on average: bfloat16's 8-bit mantissa
    with pytest.raises(ValueError, match="precision must be one of"):
        Reconstructor(reconstructor.model, body=anny_body, precision="float16")


def test_other_layouts_and_too_few_joints(reconstructor, anny_body):
    kp = keypoints(anny_body, 1)[0]
    body25 = np.zeros((25, 3))
    from gtrs.body.keypoint_formats import OPENPOSE25_NAMES
    from gtrs.body.joints import COCO17_NAMES

    for i, name in enumerate(COCO17_NAMES):
        body25[OPENPOSE25_NAMES.index(name)] = kp[i]
    a = reconstructor(body25, keypoints_format="openpose25", focal=1000.0)[0]
    b = reconstructor(kp, focal=1000.0)[0]
    np.testing.assert_allclose(a.vertices, b.vertices, atol=1e-4)
    few = kp.copy()
    few[3:, 2] = 0
    with pytest.raises(ValueError, match="fewer than 4 visible joints"):
        reconstructor(few)


def test_predict_writes_meshes_joints_and_pictures_and_skips_bad_records(reconstructor, anny_body, tmp_path):
    kp = keypoints(anny_body, 2)
    (tmp_path / "in").mkdir()
    records = [{"image_id": 1, "keypoints": kp[0, :17].reshape(-1).tolist()}, {"image_id": 2, "keypoints": [1, 2]}]
    (tmp_path / "in" / "people.json").write_text(json.dumps(records))
    summary = predict(tmp_path / "in", tmp_path / "out", reconstructor=reconstructor, show_progress=False)
    assert summary.people == 1 and len(summary.errors) == 1 and "people.json#1" in summary.errors[0]
    names = sorted(p.name for p in summary.written)
    assert names == ["people_0.bvh", "people_0.glb", "people_0.obj", "people_0.ply", "people_0_joints.json",
                     "people_0_params.json", "people_0_views.png", "people_people.json"]  # the last: every person of the input (PEOPLE_SCHEMA)
    import trimesh

    mesh = trimesh.load(tmp_path / "out" / "people_0.ply", process=False)
    assert mesh.vertices.shape == (anny_body.num_vertices, 3)
    record = json.loads((tmp_path / "out" / "people_0_joints.json").read_text())
    assert set(record["joints_coco19"]) >= {"nose", "pelvis"} and record["translation"][2] < 0  # viewer frame: -z ahead
