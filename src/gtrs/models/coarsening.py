"""Mesh graph coarsening for the Pose2Mesh baseline: heavy-edge matching (Graclus-style, as in
Defferrard et al., NeurIPS 2016) into a binary tree, so each coarse node has exactly two children
(real or 'fake' padding nodes) and upsampling is a repeat by 2.

``coarsen_mesh(faces, num_vertices, levels)`` returns the rescaled graph Laplacians of every level
(finest first) in a node order where the children of coarse node i sit at 2i and 2i + 1, and
``vertex_slots``: where each real mesh vertex sits in the finest (padded) level.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class GraphHierarchy:
    laplacians: list[sp.csr_matrix]  # finest first; sizes N_0 = 2 N_1 = 4 N_2 = ...
    vertex_slots: np.ndarray  # (V,) row of each mesh vertex in the finest level

    @property
    def sizes(self) -> list[int]:
        return [L.shape[0] for L in self.laplacians]


def mesh_adjacency(faces: np.ndarray, num_vertices: int) -> sp.csr_matrix:
    """Symmetric 0/1 vertex adjacency of a triangle mesh."""
    f = np.asarray(faces)
    rows = np.concatenate([f[:, 0], f[:, 1], f[:, 2], f[:, 1], f[:, 2], f[:, 0]])
    cols = np.concatenate([f[:, 1], f[:, 2], f[:, 0], f[:, 0], f[:, 1], f[:, 2]])
    A = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(num_vertices, num_vertices)).tocsr()
    A.data[:] = 1.0
    return A


def match_one_level(W: sp.csr_matrix) -> np.ndarray:
    """Cluster id of every node after one round of heavy-edge matching (pairs or singletons).

    Nodes are visited by increasing degree; each unmatched node joins the unmatched neighbour with
    the largest normalised edge weight w_ij (1/d_i + 1/d_j).
    """
    n = W.shape[0]
    degree = np.asarray(W.sum(axis=1)).ravel()
    cluster = -np.ones(n, dtype=np.int64)
    next_id = 0
    for i in np.argsort(degree, kind="stable"):
        if cluster[i] >= 0:
            continue
        start, end = W.indptr[i], W.indptr[i + 1]
        neighbours, weights = W.indices[start:end], W.data[start:end]
        best, best_score = -1, -np.inf
        for j, w in zip(neighbours, weights):
            if j == i or cluster[j] >= 0:
                continue
            score = w * (1.0 / max(degree[i], 1e-12) + 1.0 / max(degree[j], 1e-12))
            if score > best_score:
                best, best_score = j, score
        cluster[i] = next_id
        if best >= 0:
            cluster[best] = next_id
        next_id += 1
    return cluster


def coarsen_mesh(faces: np.ndarray, num_vertices: int, levels: int) -> GraphHierarchy:
    """Coarsen the mesh graph ``levels`` times (see the module docstring)."""
    graphs = [mesh_adjacency(faces, num_vertices)]
    parents = []
    for _ in range(levels):
        W = graphs[-1]
        cluster = match_one_level(W)
        m = int(cluster.max()) + 1
        P = sp.coo_matrix((np.ones(len(cluster)), (np.arange(len(cluster)), cluster)), shape=(len(cluster), m)).tocsr()
        Wc = (P.T @ W @ P).tocsr()
        Wc.setdiag(0)
        Wc.eliminate_zeros()
        parents.append(cluster)
        graphs.append(Wc)

    # Orderings, coarsest first: coarse node k's children go to slots 2k and 2k + 1 of the finer
    # level; a singleton gets a fake sibling (an isolated node).
    orders = [np.arange(graphs[-1].shape[0])]  # coarsest: any order
    for cluster in reversed(parents):
        children: dict[int, list[int]] = {}
        for node, c in enumerate(cluster):
            children.setdefault(int(c), []).append(node)
        order = []
        for c in orders[-1]:
            kids = children.get(int(c), []) if c >= 0 else []
            order += (kids + [-1, -1])[:2]  # -1 = fake node
        orders.append(np.array(order))
    orders = orders[::-1]  # finest first

    laplacians = [_rescaled_laplacian(_permute(W, order)) for W, order in zip(graphs, orders)]
    slots = np.empty(num_vertices, dtype=np.int64)
    real = orders[0] >= 0
    slots[orders[0][real]] = np.flatnonzero(real)
    return GraphHierarchy(laplacians=laplacians, vertex_slots=slots)


def _permute(W: sp.csr_matrix, order: np.ndarray) -> sp.csr_matrix:
    """W re-indexed by ``order`` (slot -> node, -1 = fake), fake nodes isolated."""
    real = np.flatnonzero(order >= 0)
    S = sp.coo_matrix((np.ones(len(real)), (real, order[real])), shape=(len(order), W.shape[0])).tocsr()
    return (S @ W @ S.T).tocsr()


def _rescaled_laplacian(W: sp.csr_matrix) -> sp.csr_matrix:
    """Normalised Laplacian rescaled to [-1, 1] with lambda_max taken as 2: L - I = -D^-1/2 W D^-1/2."""
    d = np.asarray(W.sum(axis=1)).ravel()
    inv = np.where(d > 0, 1.0 / np.sqrt(np.maximum(d, 1e-12)), 0.0)
    D = sp.diags(inv)
    return (-(D @ W @ D)).tocsr()
