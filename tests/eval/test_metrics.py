import math

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
