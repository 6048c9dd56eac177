"""The fitted body's files: parameter JSON, skinned GLB (Khronos validator, skinning) and BVH."""
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import roma
import torch

from gtrs.infer.predictor import Reconstructor
from gtrs.mocap.bvh import read_bvh
from tests.gltf_reader import skinned_vertices

VALIDATOR = Path(__file__).parents[2] / "tools" / "gltf-validator"


@pytest.fixture(scope="module")
def person(anny_body, tmp_path_factory):
    """A person reconstructed by the shipped model from the keypoints of a posed body, saved with every format."""
    g = torch.Generator().manual_seed(5)
    rotations = roma.rotvec_to_rotmat(0.3 * torch.randn(1, anny_body.num_bones, 3, generator=g))
    rotations[:, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0]))  # facing the camera, upright (OpenCV axes)
    out = anny_body(rotations, None, torch.tensor([[0.1, 0.0, 4.0]]), joint_set="coco19")
    px = out.joints[0, :, :2] / out.joints[0, :, 2:] * 1200.0 + torch.tensor([640.0, 480.0])
    kp = torch.cat([px, torch.ones(19, 1)], -1).numpy()
    r = Reconstructor.pretrained()
    r.body = anny_body
    result = r(kp, focal=1200.0, image_size=(1280, 960))[0]
    folder = tmp_path_factory.mktemp("rigged")
    paths = result.save(folder, "p", ("obj", "glb", "params", "bvh"))
    return result, {p.suffix if not p.name.endswith("_params.json") else "params": p for p in paths}


def test_glb_passes_the_khronos_validator(person):
    _, paths = person
    if not (VALIDATOR / "node_modules" / "gltf-validator").is_dir():
        pytest.fail(f"the glTF validator is not installed: run `npm ci --prefix {VALIDATOR}` (make does)")
    report = json.loads(subprocess.run(["node", str(VALIDATOR / "validate.mjs"), str(paths[".glb"])],
                                       capture_output=True, text=True, check=True).stdout)
    assert report["issues"]["numErrors"] == 0, report["issues"]["messages"][:5]
    assert report["issues"]["numWarnings"] == 0, report["issues"]["messages"][:5]
    assert report["info"]["hasSkins"]


def test_glb_skinning_poses_the_fitted_body(person):
    """Skinning the GLB's bind mesh by its nodes, as a viewer does, gives the fitted body (viewer axes)."""
    result, paths = person
    posed = skinned_vertices(paths[".glb"])
    expected = result.mesh("viewer").vertices
    d = np.linalg.norm(posed - expected, axis=1)
    assert np.median(d) < 0.001 and d.max() < 0.02  # 4 of anny's up to 7 influences are kept


def test_bvh_round_trip_gives_the_bodys_joint_centres(person, anny_body):
    result, paths = person
    motion = read_bvh(paths[".bvh"])
    assert motion.joint_names[0] == "Hips" and len(motion.joint_names) == anny_body.num_bones
    positions, _ = motion.forward_kinematics(scale=0.01)
    rotations, root = result.params.posed("viewer")
    body = anny_body(torch.as_tensor(rotations[None]).float(), torch.as_tensor(result.params.shape[None]).float(),
                     torch.as_tensor(root[None]).float())
    names = list(motion.joint_names)
    order = [names.index(n) for n in anny_body.bone_names]
    assert np.abs(positions[0, order] - body.bone_heads[0].numpy()).max() < 0.001


def test_params_json_reposes_the_same_body(person, anny_body):
    result, paths = person
    record = json.loads(paths["params"].read_text())
    assert record["schema_version"] == 1 and record["rig"] == "cmu_mb" and "viewer" in record["frame"]
    assert [b["name"] for b in record["bones"]] == list(anny_body.bone_names)
    quats = torch.tensor([b["rotation_xyzw"] for b in record["bones"]])
    shape = torch.tensor([list(record["shape"].values())])
    body = anny_body(roma.unitquat_to_rotmat(quats)[None], shape, torch.tensor([record["root_position"]]))
    d = np.linalg.norm(body.vertices[0].numpy() - result.mesh("viewer").vertices, axis=1)
    assert d.max() < 0.001
    rotvecs = torch.tensor([b["rotation_vector"] for b in record["bones"]])
    assert torch.allclose(roma.rotvec_to_rotmat(rotvecs), roma.unitquat_to_rotmat(quats), atol=1e-5)


def test_fitted_body_is_default_and_network_mesh_on_request(person, anny_body):
    result, _ = person
    assert result.mesh_source == "fit" and result.params is not None
    r = Reconstructor.pretrained()
    r.body = anny_body
    raw = r(result.keypoints, focal=1200.0, image_size=(1280, 960), mesh="network")[0]
    assert raw.params is None and raw.mesh_source == "network"
    # the fitted body stays close to the network's mesh
    assert np.median(np.linalg.norm((raw.vertices - raw.translation) - (result.vertices - result.translation), axis=1)) < 0.03
