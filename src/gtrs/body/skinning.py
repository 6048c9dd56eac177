"""Linear-blend skinning of a few chosen points of a rigged body, written out in torch.

A body model's own forward skins every vertex; a fit that looks at a few hundred sampled vertices
per step only needs those. With per-bone rotations relative to the parent in world axes (the
``BodyModel`` convention), bone ``k``'s world rotation is ``W_k = W_parent R_k``, its posed head
``H_k = H_parent + W_parent (h_k - h_parent)`` (``H_root`` = the translation), and a point ``p``
with skin weights ``w_k`` goes to ``sum_k w_k (W_k (p - h_k) + H_k)``. For anny this is exactly its
own skinning (tests/body/test_skinning.py); it is affine in the rest points, rest heads and
translation together, so the same function carries a change of the rest body (a shape step) into
the posed one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import torch


@dataclass
class RestPoints:
    """Chosen vertices of bodies at rest and their bones' heads, world axes (any origin). Several rest
    bodies may share one pose: points (B, E, S, 3) and heads (B, E, K, 3) for E of them."""

    points: torch.Tensor  # (B, S, 3) or (B, E, S, 3)
    heads: torch.Tensor  # (B, K, 3) or (B, E, K, 3)


@functools.lru_cache(maxsize=8)
def _levels(parents: tuple[int, ...]) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """The bones by depth below the root: per level, (bones, their parents) as index tensors."""
    depth = [0] * len(parents)
    for k in range(1, len(parents)):
        depth[k] = depth[parents[k]] + 1
    return tuple((torch.tensor([k for k in range(len(parents)) if depth[k] == d]),
                  torch.tensor([parents[k] for k in range(len(parents)) if depth[k] == d]))
                 for d in range(1, max(depth) + 1))


@functools.lru_cache(maxsize=8)
def _ancestors(parents: tuple[int, ...]) -> torch.Tensor:
    """(K, K) 1 where bone j is bone k or above it, 0 elsewhere."""
    out = torch.zeros(len(parents), len(parents))
    for k in range(len(parents)):
        j = k
        while j >= 0:
            out[k, j] = 1.0
            j = parents[j]
    return out


def world_rotations(rotations: torch.Tensor, parents: tuple[int, ...]) -> torch.Tensor:
    """(B, K, 3, 3) rotations relative to the parent -> each bone's rotation in the world (one product
    per depth of the tree, not per bone: fewer, larger operations, forwards and backwards)."""
    world = rotations.clone()
    for bones, above in _levels(tuple(parents)):
        world[:, bones] = world[:, above] @ rotations[:, bones]
    return world


def chain_heads(world: torch.Tensor, offsets: torch.Tensor, parents: tuple[int, ...],
                root: torch.Tensor | None = None) -> torch.Tensor:
    """(B, ..., K, 3) bone heads: ``root`` (B, 3; default the origin) plus, down the chain to each bone,
    every bone's ``offsets`` (B, ..., K - 1, 3) from its parent's head, in its parent's frame, turned by
    the parent's world rotation (``world`` (B, ..., K, 3, 3), broadcast over the middle dims). One
    product with the ancestor matrix instead of a loop over bones."""
    parents = tuple(parents)
    turned = (world[..., list(parents[1:]), :, :] @ offsets[..., None])[..., 0]  # (B, ..., K - 1, 3)
    heads = _ancestors(parents)[:, 1:].to(turned.dtype) @ turned
    if root is not None:
        heads = heads + root.to(heads.dtype).reshape(root.shape[0], *(1,) * (heads.dim() - 2), 3)
    return heads


def skin_points(rest: RestPoints, weights: torch.Tensor, parents: tuple[int, ...], rotations: torch.Tensor,
                translation: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Posed points (B, [E,] S, 3) and posed bone heads (B, [E,] K, 3) of ``rest`` under ``rotations``
    (B, K, 3, 3) with skin ``weights`` (S, K); the root's head goes to ``translation`` (B, 3), or to
    the origin without one (the linear part alone: a change of the rest body, posed). With E rest
    bodies per pose the rotations are turned into world rotations and blended once."""
    parents = tuple(parents)
    world = world_rotations(rotations, parents)  # (B, K, 3, 3)
    B, K = world.shape[:2]
    w = weights.to(world.dtype)
    blended = (w @ world.reshape(B, K, 9)).reshape(B, -1, 3, 3)  # (B, S, 3, 3): sum_k w_k W_k
    middle = (1,) * (rest.points.dim() - 3)  # the E rest bodies' dim, if any
    world, blended = world.reshape(B, *middle, K, 3, 3), blended.reshape(B, *middle, -1, 3, 3)
    h = rest.heads
    heads = chain_heads(world, h[..., 1:, :] - h[..., list(parents[1:]), :], parents, translation)
    shift = heads - (world @ h[..., None])[..., 0]  # (B, [E,] K, 3): H_k - W_k h_k
    points = (blended * rest.points[..., None, :]).sum(-1) + w @ shift
    return points, heads
