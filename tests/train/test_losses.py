import torch

from gtrs.train.losses import edge_loss, mesh_edges, normal_loss, vertex_loss


def tetrahedron():
    v = torch.tensor([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])[None]
    f = torch.tensor([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    return v, f


def test_surface_losses_vanish_for_the_ground_truth_and_rigid_motion():
    v, f = tetrahedron()
    edges = mesh_edges(f)
    assert edges.shape == (6, 2)
    assert normal_loss(v, v, f) < 1e-6 and edge_loss(v, v, edges) == 0
    moved = v + torch.tensor([0.3, -0.2, 1.0])
    assert normal_loss(moved, v, f) < 1e-6 and edge_loss(moved, v, edges) < 1e-6
    assert abs(vertex_loss(moved, v).item() - (0.3 + 0.2 + 1.0) / 3) < 1e-6


def test_surface_losses_see_deformation():
    v, f = tetrahedron()
    bent = v.clone()
    bent[0, 3] = torch.tensor([0.5, 0.5, 0.2])
    assert normal_loss(bent, v, f) > 0.05
    assert edge_loss(bent * 2, v, mesh_edges(f)) > 0.5
