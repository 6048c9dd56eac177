"""Skinning chosen vertices in torch must give exactly anny's own posed vertices and bone heads."""
import roma
import torch

from gtrs.body.anny import AnnyBody
from gtrs.body.skinning import RestPoints, skin_points


def test_skinned_points_are_annys_vertices_for_any_pose_shape_and_local_change():
    body = AnnyBody(dtype=torch.float64, local_changes=("upperlegs-height-incr", "measure-upperarm-length-incr"))
    g = torch.Generator().manual_seed(0)
    B, K = 3, body.num_bones
    rotations = roma.rotvec_to_rotmat(0.5 * torch.randn(B, K, 3, generator=g, dtype=torch.float64))
    shape = torch.cat([torch.rand(B, 6, generator=g, dtype=torch.float64),
                       2 * torch.rand(B, 2, generator=g, dtype=torch.float64) - 1], 1)
    translation = torch.randn(B, 3, generator=g, dtype=torch.float64)
    ids = torch.randperm(body.num_vertices, generator=g)[:300]
    out = body(rotations, shape, translation)
    points, heads = skin_points(body.rest_points(shape, ids), body.skin_weights()[ids], body.bone_parents,
                                rotations, translation)
    assert torch.allclose(points, out.vertices[:, ids], atol=1e-10)
    assert torch.allclose(heads, out.bone_heads, atol=1e-10)


def test_skinning_without_translation_is_the_linear_part():
    """Posing a difference of rest bodies gives the difference of the posed ones (a shape step's effect)."""
    g = torch.Generator().manual_seed(1)
    B, S, K = 2, 5, 4
    parents = (-1, 0, 1, 1)
    weights = torch.rand(S, K, generator=g, dtype=torch.float64)
    weights /= weights.sum(1, keepdim=True)
    rotations = roma.rotvec_to_rotmat(torch.randn(B, K, 3, generator=g, dtype=torch.float64))
    a, b = (RestPoints(torch.randn(B, S, 3, generator=g, dtype=torch.float64),
                       torch.randn(B, K, 3, generator=g, dtype=torch.float64)) for _ in range(2))
    t = torch.randn(B, 3, generator=g, dtype=torch.float64)
    pa, ha = skin_points(a, weights, parents, rotations, t)
    pb, hb = skin_points(b, weights, parents, rotations, t)
    pd, hd = skin_points(RestPoints(a.points - b.points, a.heads - b.heads), weights, parents, rotations)
    assert torch.allclose(pa - pb, pd, atol=1e-12) and torch.allclose(ha - hb, hd, atol=1e-12)
    # a rigid body (every point on the root) moves rigidly: distances kept
    rigid = torch.zeros(S, K, dtype=torch.float64)
    rigid[:, 0] = 1
    p, _ = skin_points(a, rigid, parents, rotations, t)
    assert torch.allclose(torch.cdist(p, p), torch.cdist(a.points, a.points), atol=1e-12)
