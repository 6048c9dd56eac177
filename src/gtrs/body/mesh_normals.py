"""Vertex normals of body meshes, fast enough to write thousands of people's mesh files."""
from __future__ import annotations

import numpy as np
import scipy.sparse

_INCIDENCE: list = []  # [(faces, num_vertices, (V, F) vertex-in-face matrix)]: the last topology seen


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Unit vertex normals (..., V, 3) of triangle meshes (..., V, 3) sharing (F, 3) ``faces``: each the
    area-weighted sum of its faces' normals (counter-clockwise faces point outwards), summed by one
    sparse product. ~4x faster than ``trimesh.Trimesh(...).vertex_normals``, which weights by corner
    angle instead: on smooth bodies the two agree to a few degrees."""
    vertices = np.asarray(vertices, dtype=np.float64)
    flat = vertices.reshape(-1, *vertices.shape[-2:])
    f0, f1, f2, incidence = _topology(faces, vertices.shape[-2])
    out = np.empty_like(flat)
    for i, v in enumerate(flat):
        # The cross product's length is twice the face's area: summing it weights faces by area.
        summed = incidence @ np.cross(v[f1] - v[f0], v[f2] - v[f0])
        length = np.sqrt(np.einsum("ij,ij->i", summed, summed))[:, None]
        loose = length[:, 0] <= 1e-12
        out[i] = summed / np.where(loose[:, None], 1.0, length)
        # A vertex on no face, or only on degenerate ones, gets +Z rather than NaN: files stay valid.
        out[i, loose] = (0.0, 0.0, 1.0)
    return out.reshape(vertices.shape)


def _topology(faces: np.ndarray, num_vertices: int):
    """The corner index columns and the incidence matrix of ``faces``, built once per topology."""
    if _INCIDENCE:
        known, n, cached = _INCIDENCE[0]
        if n == num_vertices and (known is faces or np.array_equal(known, faces)):
            return cached
    f = np.asarray(faces, dtype=np.int64)
    rows, cols = f.T.ravel(), np.tile(np.arange(len(f)), 3)
    incidence = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(num_vertices, len(f)))
    cached = (*(np.ascontiguousarray(c) for c in f.T), incidence)
    _INCIDENCE[:] = [(np.array(faces, copy=True), num_vertices, cached)]
    return cached
