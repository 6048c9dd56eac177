import math

import numpy as np
import torch

from gtrs.metrics import mpjpe, mpvpe, pa_mpjpe, similarity_align


def random_rotation(g):
    q = torch.nn.functional.normalize(torch.randn(4, generator=g), dim=0)
    w, x, y, z = q
    return torch.tensor([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def test_a_rotated_scaled_shifted_copy_has_zero_pa_mpjpe_but_not_zero_mpjpe():
    g = torch.Generator().manual_seed(0)
    gt = torch.randn(4, 17, 3, generator=g, dtype=torch.float64) * 0.3
    R = random_rotation(g).double()
    pred = 1.7 * gt @ R.T + torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    assert pa_mpjpe(pred, gt).max() < 1e-3  # mm; R was built in float32
    assert mpjpe(pred, gt).min() > 10
    torch.testing.assert_close(similarity_align(pred, gt), gt, atol=1e-6, rtol=0)


def test_a_mirror_image_is_not_aligned_away():
    g = torch.Generator().manual_seed(1)
    gt = torch.randn(2, 17, 3, generator=g, dtype=torch.float64)
    mirrored = gt * torch.tensor([-1.0, 1.0, 1.0], dtype=torch.float64)
    assert pa_mpjpe(mirrored, gt).min() > 1.0  # proper rotations only


def test_known_offsets_give_known_errors():
    gt = torch.zeros(1, 17, 3)
    gt[0, :, 1] = torch.arange(17).float() * 0.1
    pred = gt.clone()
    pred[0, 1:, 0] += 0.03  # every joint but the pelvis moves 30 mm sideways
    assert math.isclose(mpjpe(pred, gt).item(), 30.0, rel_tol=1e-5)
    shifted = gt + torch.tensor([1.0, 2.0, 3.0])  # a global shift is removed by pelvis alignment
    assert mpjpe(shifted, gt).item() < 1e-4
    verts = torch.zeros(1, 5, 3)
    moved = verts + torch.tensor([0.0, 0.0, 0.004])
    assert math.isclose(mpvpe(moved, verts, torch.zeros(1, 3), torch.zeros(1, 3)).item(), 4.0, rel_tol=1e-5)
    assert mpvpe(moved, verts, moved[:, 0], verts[:, 0]).item() < 1e-4


def test_a_mesh_is_torn_when_over_one_percent_of_its_edges_are_stretched_three_times():
    from gtrs.metrics import distorted_edge_share, edge_lengths, torn_meshes

    torch.manual_seed(0)
    vertices = torch.rand(1, 400, 3)
    edges = torch.stack([torch.arange(399), torch.arange(1, 400)], dim=1)  # a chain of 399 edges
    template = edge_lengths(vertices, edges)[0]
    scaled = 2.5 * vertices  # uniformly 2.5x: no edge beyond 3x
    assert not torn_meshes(torch.cat([vertices, scaled]), template, edges).any()
    spiky = vertices.clone()
    spiky[0, 100:110:2] += 10.0 * template.max()  # 5 spikes: 10 of 399 edges stretched (2.5%)
    assert torn_meshes(spiky, template, edges).all()
    assert abs(float(distorted_edge_share(spiky, template, edges)) - 10 / 399) < 1e-6
    one_spike = vertices.clone()
    one_spike[0, 200] += 10.0 * template.max()  # 2 edges (0.5%): distorted, not torn
    assert not torn_meshes(one_spike, template, edges).any()
    shrunk = vertices.clone()
    shrunk[0, 1:40] = vertices[0, :1] + (vertices[0, 1:40] - vertices[0, :1]) * 0.01  # 39 edges shrunk far below 1/3
    assert torn_meshes(shrunk, template, edges).all()


def test_squared_edge_lengths_are_the_edge_lengths_squared():
    from gtrs.body.mesh_quality import squared_edge_lengths
    from gtrs.metrics import edge_lengths

    torch.manual_seed(0)
    vertices, edges = torch.randn(3, 50, 3), torch.randint(0, 50, (80, 2))
    torch.testing.assert_close(squared_edge_lengths(vertices, edges).T, edge_lengths(vertices, edges).square())


def test_angle_errors_are_zero_for_the_truth_and_the_bend_added_to_one_knee():
    from gtrs.body.joints import COCO19
    from gtrs.metrics import ANGLE_GROUPS, angle_errors

    J = {n: i for i, n in enumerate(COCO19.names)}
    gt = torch.zeros(2, 19, 3, dtype=torch.float64)
    for side, x in (("left", 0.1), ("right", -0.1)):  # standing straight, facing the camera (OpenCV axes)
        gt[:, J[f"{side}_hip"]] = torch.tensor([x, 0.0, 3.0])
        gt[:, J[f"{side}_knee"]] = torch.tensor([x, 0.45, 3.0])
        gt[:, J[f"{side}_ankle"]] = torch.tensor([x, 0.9, 3.0])
        gt[:, J[f"{side}_shoulder"]] = torch.tensor([2 * x, -0.5, 3.0])
        gt[:, J[f"{side}_elbow"]] = torch.tensor([2 * x, -0.2, 3.0])
        gt[:, J[f"{side}_wrist"]] = torch.tensor([2 * x, 0.05, 3.0])
    gt[:, J["pelvis"]] = torch.tensor([0.0, 0.0, 3.0])
    gt[:, J["neck"]] = torch.tensor([0.0, -0.5, 3.0])
    pred = gt.clone()
    bend = torch.tensor([0.0, 0.45 * np.cos(np.radians(40)), 0.45 * np.sin(np.radians(40))])  # shin 40 deg back
    pred[1, J["left_ankle"]] = pred[1, J["left_knee"]] + bend
    err = angle_errors(pred, gt)
    assert set(err) == {f"angle_{g}" for g in ANGLE_GROUPS} | {"angle_all"}
    assert torch.allclose(err["angle_knee_flexion"], torch.tensor([0.0, 20.0], dtype=torch.float64))  # L/R mean
    assert torch.allclose(err["angle_all"], torch.tensor([0.0, 40.0 / 11], dtype=torch.float64))
    assert float(err["angle_hip_flexion"].abs().max()) < 1e-9
