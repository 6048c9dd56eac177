import numpy as np
import scipy.sparse as sp
import torch

from gtrs.body.joints import COCO19, graph_adjacency
from gtrs.models.coarsening import GraphHierarchy, coarsen_mesh
from gtrs.models.pose2mesh import Pose2Mesh, Pose2MeshConfig, pose2mesh_for_body


def test_smpl_coco19_configuration_has_the_official_parameter_count():
    # SMPL's hierarchy: 12288 (6890 vertices + padding) halved 7 times down to 96 nodes.
    sizes = [12288 // 2 ** i for i in range(8)]
    hierarchy = GraphHierarchy([sp.csr_matrix((n, n)) for n in sizes], np.arange(6890))
    model = Pose2Mesh(Pose2MeshConfig(num_vertices=6890), graph_adjacency(COCO19), hierarchy)
    total = sum(p.numel() for p in model.parameters())
    assert abs(total - 77.13e6) / 77.13e6 < 0.02, total
    assert abs(sum(p.numel() for p in model.posenet.parameters()) - 67.56e6) / 67.56e6 < 0.01


def test_coarsening_builds_a_binary_tree_with_every_vertex_placed(anny_body):
    h = coarsen_mesh(anny_body.faces.numpy(), anny_body.num_vertices, levels=7)
    assert all(a == 2 * b for a, b in zip(h.sizes, h.sizes[1:]))
    assert len(np.unique(h.vertex_slots)) == anny_body.num_vertices and h.vertex_slots.max() < h.sizes[0]
    L = h.laplacians[0]
    assert abs(L - L.T).max() < 1e-12
    # an edge of the coarse graph joins two nodes whose children are joined in the fine graph
    fine, coarse = (h.laplacians[0] != 0).astype(int), (h.laplacians[1] != 0).tocoo()
    i, j = coarse.row[0], coarse.col[0]
    assert fine[2 * i:2 * i + 2, 2 * j:2 * j + 2].sum() > 0


def test_pose2mesh_on_anny_runs_forward_and_backward(anny_body):
    torch.manual_seed(0)
    model = pose2mesh_for_body(anny_body.faces.numpy(), anny_body.num_vertices, posenet_width=64)
    kp = torch.rand(2, 19, 3) * 300
    vertices, pose = model(kp)
    assert vertices.shape == (2, anny_body.num_vertices, 3) and pose.shape == (2, 19, 3)
    (vertices.square().mean() + pose.square().mean()).backward()
    assert model.meshnet.jump.weight.grad.abs().sum() > 0 and model.posenet.out.weight.grad.abs().sum() > 0


def test_a_checkpoint_rebuilds_pose2mesh_on_its_own_mesh(tmp_path):
    """Not only anny: the faces travel with the weights, so a Pose2Mesh on another mesh reloads."""
    import trimesh

    from gtrs.models.checkpoint import load_model, save_checkpoint

    sphere = trimesh.creation.icosphere(subdivisions=3)  # 642 vertices
    torch.manual_seed(0)
    model = pose2mesh_for_body(sphere.faces, len(sphere.vertices), posenet_width=32).eval()
    path = tmp_path / "p2m.safetensors"
    save_checkpoint(path, model, None, {"model_config": model.cfg.to_dict(), "model_type": "Pose2Mesh"})
    loaded, _ = load_model(path)
    kp = torch.rand(2, 19, 3) * 300
    with torch.no_grad():
        torch.testing.assert_close(loaded(kp)[0], model(kp)[0])
    assert loaded(kp)[0].shape == (2, 642, 3)
