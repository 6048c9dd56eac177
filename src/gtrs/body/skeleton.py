"""A rig's skeleton alone: bone names, parents and rest joint centres, with forward kinematics.

Cheap enough to pose millions of skeletons (no skinning), for joint limits, posture generation and
self-contact checks. Rotations follow ``BodyModel``: per bone, relative to the parent, in world axes
(the rest pose's axes), so a bone's world rotation is its parent's times its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from gtrs.body.base import BodyModel, once_per_body
from gtrs.body.skinning import chain_heads, world_rotations


@dataclass(frozen=True)
class Skeleton:
    names: tuple[str, ...]
    parents: tuple[int, ...]  # -1 for the root; every parent comes before its children
    rest_heads: torch.Tensor  # (K, 3) joint centres at rest, metres, root at the origin

    @classmethod
    def from_body(cls, body: BodyModel) -> "Skeleton":
        """The skeleton of ``body`` at its mean shape."""
        with torch.no_grad():
            heads = body().bone_heads[0].detach().to(torch.float32).cpu()
        return cls(tuple(body.bone_names), tuple(int(p) for p in body.bone_parents), heads - heads[0])

    def index(self, name: str) -> int:
        return self.names.index(name)

    def children(self, k: int) -> list[int]:
        return [j for j, p in enumerate(self.parents) if p == k]

    def rest_directions(self) -> torch.Tensor:
        """(K, 3) unit direction of each bone at rest: towards the mean of its children's heads; a
        leaf bone continues its parent's direction."""
        dirs = torch.zeros_like(self.rest_heads)
        for k, p in enumerate(self.parents):
            kids = self.children(k)
            d = self.rest_heads[kids].mean(0) - self.rest_heads[k] if kids else self.rest_heads[k] - self.rest_heads[p]
            dirs[k] = d / d.norm()
        return dirs

    def world_rotations(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B, K, 3, 3) local rotations -> each bone's rotation in the world."""
        return world_rotations(rotations, self.parents)

    def joint_positions(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B, K, 3) joint centres of the posed skeleton, root at the origin."""
        rest = self.rest_heads.to(rotations.dtype)
        offsets = (rest[1:] - rest[list(self.parents[1:])]).expand(rotations.shape[0], -1, -1)
        return chain_heads(self.world_rotations(rotations), offsets, self.parents)


# the skeleton of a body at its mean shape, posed once per body (the fits' joint limits and lifts share it)
skeleton_of = once_per_body(Skeleton.from_body)
