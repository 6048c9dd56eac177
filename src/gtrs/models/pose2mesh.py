"""Pose2Mesh (Choi, Moon, Lee; ECCV 2020), the baseline GTRS is compared with (gtrs-reference.md
§1, §3). Written from the description of the official release; same interface as GTRS.

PoseNet lifts the 2D pose to 3D (a fully connected residual network, 4096 wide). MeshNet takes
per-joint (2D, detached 3D) features through Chebyshev spectral graph convolutions: first on the
joint graph, then a fully connected jump to the coarsest mesh level, then up a coarsened mesh
hierarchy (x2 per level) to the full mesh.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from gtrs.models.coarsening import GraphHierarchy, _rescaled_laplacian
from gtrs.models.inputs import normalize_keypoints


# -- building blocks -----------------------------------------------------------------------------
class ResidualLinearBlock(nn.Module):
    """Two Linear-BatchNorm-ReLU-Dropout layers with a skip connection."""

    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.layers(x)


class ChebConv(nn.Module):
    """Chebyshev graph convolution of order K on a fixed rescaled Laplacian, then BatchNorm."""

    def __init__(self, in_features: int, out_features: int, laplacian: sp.csr_matrix, K: int = 3,
                 batch_norm: bool = True) -> None:
        super().__init__()
        L = laplacian.tocoo()
        indices = torch.as_tensor(np.vstack([L.row, L.col]), dtype=torch.long)
        values = torch.as_tensor(L.data, dtype=torch.float32)
        laplacian = torch.sparse_coo_tensor(indices, values, L.shape, check_invariants=True).coalesce()
        self.register_buffer("laplacian", laplacian, persistent=False)
        self.K = K
        self.linear = nn.Linear(K * in_features, out_features)
        bound = float(np.sqrt(2.0 / (K * in_features + out_features)))
        nn.init.uniform_(self.linear.weight, -bound, bound)
        nn.init.zeros_(self.linear.bias)
        self.norm = nn.BatchNorm1d(out_features) if batch_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, F_in) -> (B, N, F_out)
        B, N, F = x.shape
        x0 = x.permute(1, 2, 0).reshape(N, F * B)  # (N, F*B)
        terms = [x0]
        if self.K > 1:
            terms.append(torch.sparse.mm(self.laplacian, x0))
        for _ in range(2, self.K):
            terms.append(2 * torch.sparse.mm(self.laplacian, terms[-1]) - terms[-2])
        h = torch.stack(terms, 0).reshape(self.K, N, F, B).permute(3, 1, 2, 0).reshape(B * N, F * self.K)
        h = self.linear(h)
        if self.norm is not None:
            h = self.norm(h)
        return h.reshape(B, N, -1)


# -- the two networks ----------------------------------------------------------------------------
class PoseNet(nn.Module):
    """2D pose (B, J, 2) -> root-relative 3D pose (B, J, 3)."""

    def __init__(self, num_joints: int, width: int = 4096, blocks: int = 2, dropout: float = 0.5) -> None:
        super().__init__()
        self.inp = nn.Sequential(nn.Linear(2 * num_joints, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout))
        self.blocks = nn.Sequential(*[ResidualLinearBlock(width, dropout) for _ in range(blocks)])
        self.out = nn.Linear(width, 3 * num_joints)

    def forward(self, pose2d: torch.Tensor) -> torch.Tensor:
        B, J, _ = pose2d.shape
        return self.out(self.blocks(self.inp(pose2d.reshape(B, -1)))).reshape(B, J, 3)


class MeshNet(nn.Module):
    """Per-joint features (B, J, 5) -> mesh (B, V, 3) through the graph hierarchy.

    Block channel plan (the official one): joints (5->32->64->64), then at the coarsest mesh level
    and up: (64->128->256), four x (256->256->256), (256->128->128), two x (128->128->128),
    (128->64->3). Blocks after the first add a skip (features linearly interpolated to the new
    width) and, until the finest level is reached, upsample by 2.
    """

    # Channels of each block's layers; the first block's input is the per-joint feature size.
    PLAN = ((None, 32, 64, 64), (64, 128, 256), (256, 256, 256), (256, 256, 256), (256, 256, 256), (256, 256, 256),
            (256, 128, 128), (128, 128, 128), (128, 128, 128), (128, 64, 3))

    def __init__(self, in_features: int, joint_laplacian: sp.csr_matrix, hierarchy: GraphHierarchy, K: int = 3) -> None:
        super().__init__()
        levels = hierarchy.laplacians  # finest first
        ups = len(self.PLAN) - 3  # blocks followed by a x2 upsampling
        if len(levels) != ups + 1:
            raise ValueError(f"MeshNet needs a hierarchy of {ups + 1} levels, got {len(levels)}")
        self.register_buffer("vertex_slots", torch.as_tensor(hierarchy.vertex_slots), persistent=False)
        self.coarsest = levels[-1].shape[0]
        self.num_joints = joint_laplacian.shape[0]
        # each block's graph: the joints, then the coarsest .. second-finest levels, the finest twice
        graphs = [joint_laplacian] + levels[::-1][:ups] + [levels[0], levels[0]]
        self.blocks = nn.ModuleList()
        for b, (plan, graph) in enumerate(zip(self.PLAN, graphs)):
            chans = (in_features,) + plan[1:] if b == 0 else plan
            final = b == len(self.PLAN) - 1
            self.blocks.append(nn.ModuleList(
                ChebConv(chans[i], chans[i + 1], graph, K, batch_norm=not (final and i == len(chans) - 2))
                for i in range(len(chans) - 1)))
        self.jump = nn.Linear(self.num_joints * self.PLAN[0][-1], self.coarsest * self.PLAN[1][0])

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        B = features.shape[0]
        x = features
        last = len(self.blocks) - 1
        for b, convs in enumerate(self.blocks):
            skip = x
            for i, conv in enumerate(convs):
                x = conv(x)
                if not (b == last and i == len(convs) - 1):
                    x = torch.relu(x)
            if b == 0:
                x = self.jump(x.reshape(B, -1)).reshape(B, self.coarsest, -1)
            elif b < last:
                x = x + nn.functional.interpolate(skip, size=x.shape[2], mode="linear")
                if b < last - 1:
                    x = x.repeat_interleave(2, dim=1)  # children of node k sit at 2k, 2k + 1
        return x[:, self.vertex_slots]


@dataclass(frozen=True)
class Pose2MeshConfig:
    joint_set: str = "coco19"
    num_joints: int = 19
    num_vertices: int = 13718
    posenet_width: int = 4096
    posenet_blocks: int = 2
    dropout: float = 0.5
    cheb_order: int = 3

    def to_dict(self) -> dict:
        return asdict(self)


def pose2mesh_for_body(faces: np.ndarray, num_vertices: int, joint_set: str = "coco19", **overrides) -> "Pose2Mesh":
    """Pose2Mesh for a body mesh: its graph coarsened into MeshNet's 8 levels (7 x2 steps)."""
    from gtrs.body.joints import get_joint_set, graph_adjacency
    from gtrs.models.coarsening import coarsen_mesh

    js = get_joint_set(joint_set)
    cfg = Pose2MeshConfig(joint_set=js.name, num_joints=js.num_joints, num_vertices=num_vertices, **overrides)
    hierarchy = coarsen_mesh(np.asarray(faces), num_vertices, levels=len(MeshNet.PLAN) - 3)
    model = Pose2Mesh(cfg, graph_adjacency(js), hierarchy)
    # kept with the weights, so a checkpoint rebuilds its graph hierarchy on any body (anny, SMPL)
    model.register_buffer("faces", torch.as_tensor(np.asarray(faces), dtype=torch.long))
    return model


class Pose2Mesh(nn.Module):
    """Pixel keypoints (B, J, 2|3) -> (vertices (B, V, 3), pose3d (B, J, 3)), like ``GTRS``.
    MeshNet receives the 3D pose detached (Pose2Mesh trains the two sub-networks separately)."""

    supports_bfloat16 = False  # MeshNet's sparse graph products have no bfloat16 backward on CPU

    def __init__(self, cfg: Pose2MeshConfig, joint_adjacency: torch.Tensor, hierarchy: GraphHierarchy) -> None:
        super().__init__()
        self.cfg = cfg
        A = sp.csr_matrix(joint_adjacency.numpy() * (1 - np.eye(cfg.num_joints)))
        self.posenet = PoseNet(cfg.num_joints, cfg.posenet_width, cfg.posenet_blocks, cfg.dropout)
        self.meshnet = MeshNet(5, _rescaled_laplacian(A), hierarchy, cfg.cheb_order)

    @property
    def pose_module(self) -> nn.Module:
        """PoseNet, pre-trained alone (stage 'pam'): normalised 2D (B, J, 2) -> pose3d."""
        return self.posenet

    def forward(self, keypoints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pose2d = normalize_keypoints(keypoints)
        pose3d = self.posenet(pose2d)
        vertices = self.meshnet(torch.cat([pose2d, pose3d.detach()], dim=-1))
        return vertices, pose3d
