"""Vertex normals: outward unit vectors, batched like one by one, close to trimesh's on the body."""
import numpy as np
import trimesh

from gtrs.body.mesh_normals import vertex_normals


def test_sphere_normals_point_outwards_and_follow_the_winding():
    sphere = trimesh.creation.icosphere(subdivisions=3, radius=0.7)
    n = vertex_normals(sphere.vertices, sphere.faces)
    radial = sphere.vertices / np.linalg.norm(sphere.vertices, axis=1, keepdims=True)
    np.testing.assert_allclose(np.linalg.norm(n, axis=1), 1.0, atol=1e-12)
    assert (n * radial).sum(1).min() > 0.999
    flipped = vertex_normals(sphere.vertices, sphere.faces[:, ::-1])  # inward winding: inward normals
    np.testing.assert_allclose(flipped, -n, atol=1e-12)


def test_batch_equals_one_by_one_and_a_loose_vertex_gets_plus_z():
    rng = np.random.default_rng(0)
    box = trimesh.creation.box()
    vertices = np.concatenate([box.vertices, [[5.0, 5.0, 5.0]]])  # the last vertex is on no face
    batch = vertices[None] * rng.uniform(0.5, 2.0, (4, 1, 3)) + rng.normal(size=(4, 1, 3))
    n = vertex_normals(batch, box.faces)
    assert n.shape == batch.shape and np.isfinite(n).all()
    for i in range(4):
        np.testing.assert_array_equal(n[i], vertex_normals(batch[i], box.faces))
    np.testing.assert_array_equal(n[:, -1], np.tile([0.0, 0.0, 1.0], (4, 1)))


def test_body_normals_agree_with_trimesh(anny_body):
    vertices = anny_body(None, None, None).vertices[0].double().numpy()
    faces = anny_body.faces.numpy()
    ours = vertex_normals(vertices, faces)
    theirs = trimesh.Trimesh(vertices, faces, process=False).vertex_normals  # angle-weighted
    agreement = (ours * theirs).sum(1)
    assert np.median(agreement) > 0.999 and np.percentile(agreement, 1) > 0.9
