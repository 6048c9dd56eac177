"""GTRS: A Lightweight Graph Transformer Network for Human Mesh Reconstruction from 2D Human Pose
(Zheng, Mendieta, Wang, Lu, Chen; ACM MM 2022). Written from gtrs-reference.md §1.

2D keypoints -> Pose Analysis Module (PAM: graph transformer over joints, 3D pose + features)
-> Mesh Regression Module (MRM: template tokens x pose tokens, offsets added to the template)
-> all mesh vertices, camera-frame orientation, root-relative, metres.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from gtrs.models.inputs import normalize_keypoints, visible_joints
from gtrs.models.layers import GraphTransformerBlock, ModulatedGraphConv


# -- Pose Analysis Module ------------------------------------------------------------------------
class ParallelGraphBlocks(nn.Module):
    """The PAM's G_Block: parallel Blocks on the same input, some on the skeleton graph, the others
    on a learnable identity-initialised graph, stacked as channels and fused by a 1x1 Conv2d."""

    def __init__(self, dim: int, num_joints: int, adjacency: torch.Tensor, skeleton_blocks: int, learned_blocks: int,
                 **block_kwargs) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            [GraphTransformerBlock(dim, num_joints, graph=True, adjacency=adjacency, **block_kwargs)
             for _ in range(skeleton_blocks)]
            + [GraphTransformerBlock(dim, num_joints, graph=True, adjacency=None, **block_kwargs)
               for _ in range(learned_blocks)])
        self.fuse = nn.Conv2d(len(self.blocks), 1, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, J, C)
        stacked = torch.stack([block(x) for block in self.blocks], dim=1)  # (B, P, J, C)
        return self.fuse(stacked)[:, 0]


class PoseAnalysisModule(nn.Module):
    """2D pose (B, J, 2) -> (3D pose (B, J, 3), features (B, J, C)).

    With ``cfg.pam_missing_channel`` (a documented variant, not the paper) the input is (B, J, 3):
    the normalised x, y and a 1 where the joint is missing. A faithful checkpoint loads into the
    variant with that channel's weights at zero, so the variant starts as exactly the same network.
    """

    def __init__(self, cfg: "GTRSConfig", adjacency: torch.Tensor) -> None:
        super().__init__()
        J, C = cfg.num_joints, cfg.embed_dim
        self.embed = ModulatedGraphConv(3 if cfg.pam_missing_channel else 2, C, J, adjacency)
        self.embed_norm = nn.LayerNorm(C)
        kwargs = dict(num_heads=cfg.num_heads, mlp_ratio=cfg.mlp_ratio, qkv_bias=True, drop=cfg.pam_drop,
                      attn_drop=cfg.pam_attn_drop, drop_path=cfg.pam_drop_path)
        self.gblock1 = ParallelGraphBlocks(C, J, adjacency, cfg.skeleton_blocks, cfg.learned_blocks, **kwargs)
        self.gblock2 = ParallelGraphBlocks(C, J, adjacency, cfg.skeleton_blocks, cfg.learned_blocks, **kwargs)
        self.norm1 = nn.LayerNorm(C)
        self.norm2 = nn.LayerNorm(C)
        self.act = nn.GELU()
        self.head = nn.Linear(C, 3)

    def forward(self, pose2d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x0 = self.act(self.embed_norm(self.embed(pose2d)))  # (B, J, C)
        x1 = self.act(self.norm1(self.gblock1(x0))) + x0
        x2 = self.act(self.norm2(self.gblock2(x1)))
        features = x2 + x1 + x0
        return self.head(features), features  # (B, J, 3), (B, J, C)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        key = prefix + "embed.weight"
        weight = state_dict.get(key)
        if weight is not None and weight.shape[1] < self.embed.weight.shape[1]:  # a faithful (x, y) checkpoint
            state_dict[key] = nn.functional.pad(weight, (0, 0, 0, self.embed.weight.shape[1] - weight.shape[1]))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


# -- Mesh Regression Module ----------------------------------------------------------------------
class VertexAxisConv(nn.Conv1d):
    """The MRM's output Conv1d (kernel 3, padding 1) over the vertex axis, computed tap by tap.

    Same parameters and result as ``nn.Conv1d``; one matrix product gives every tap's output and
    the taps are shifted and summed on the 3 output channels. On a 2-core CPU it is faster than the
    convolution kernel for (B, J + T, V) inputs, forward plus backward (``gtrs bench train`` times
    both), and the taps of vertex chunks can be computed apart (``MeshRegressionModule``).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, kernel_size=3, padding=1)

    def taps(self, x: torch.Tensor) -> torch.Tensor:  # (B, C_in, V) -> (B, 3, C_out, V)
        """Each kernel tap's output at every vertex (a plain matmul: no copy of the large input)."""
        w = self.weight.permute(2, 0, 1).reshape(-1, self.in_channels)  # (3 * C_out, C_in)
        return torch.matmul(w, x).unflatten(1, (3, self.out_channels))

    def sum_taps(self, taps: torch.Tensor) -> torch.Tensor:  # (B, 3, C_out, V) -> (B, C_out, V)
        left = nn.functional.pad(taps[:, 0, :, :-1], (1, 0))  # tap 0 reads the previous vertex
        right = nn.functional.pad(taps[:, 2, :, 1:], (0, 1))  # tap 2 the next one
        return taps[:, 1] + left + right + self.bias[:, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C_in, V) -> (B, C_out, V)
        return self.sum_taps(self.taps(x))


class CrossBlock(nn.Module):
    """A pose Block on the J pose tokens, a template Block on the T template tokens, then a fuse
    Block over all J + T tokens."""

    def __init__(self, dim: int, num_joints: int, num_template_tokens: int, drop_path: float, **kwargs) -> None:
        super().__init__()
        self.num_joints = num_joints
        self.pose = GraphTransformerBlock(dim, num_joints, drop_path=drop_path, **kwargs)
        self.template = GraphTransformerBlock(dim, num_template_tokens, drop_path=drop_path, **kwargs)
        self.fuse = GraphTransformerBlock(dim, num_joints + num_template_tokens, drop_path=drop_path, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, J + T, C)
        pose, template = x[:, :self.num_joints], x[:, self.num_joints:]
        return self.fuse(torch.cat([self.pose(pose), self.template(template)], dim=1))


class MeshRegressionModule(nn.Module):
    """PAM features (B, J, C) -> vertices (B, V, 3) = template + predicted offsets.

    Template tokens: the (V, 3) template, transposed to (3, V), flattened and split into T equal
    chunks (zero-padded when 3V is not a multiple of T; the paper's 6890-vertex SMPL with T = 15
    needs no padding), each embedded by a Linear layer.
    """

    def __init__(self, cfg: "GTRSConfig", template: torch.Tensor) -> None:
        super().__init__()
        J, T, C, V = cfg.num_joints, cfg.template_tokens, cfg.embed_dim, cfg.num_vertices
        if template.shape != (V, 3):
            raise ValueError(f"template must have shape ({V}, 3), got {tuple(template.shape)}")
        self.register_buffer("template", template.float().clone())
        self.num_template_tokens = T
        self.chunk = math.ceil(3 * V / T)
        self.template_embed = nn.Linear(self.chunk, C)
        self.pose_embed = nn.Linear(C, C)
        rates = torch.linspace(0, cfg.mrm_drop_path, cfg.mrm_depth).tolist()
        self.blocks = nn.ModuleList(
            CrossBlock(C, J, T, drop_path=r, num_heads=cfg.num_heads, mlp_ratio=cfg.mlp_ratio, qkv_bias=True)
            for r in rates)
        self.norm = nn.LayerNorm(C)
        self.vertex_head = nn.Linear(C, V)
        self.act = nn.GELU()
        self.coord_head = VertexAxisConv(J + T, 3)
        # Start from (almost) the template: with PyTorch's default init the offsets begin as noise
        # of ~0.5 m per vertex, which a short CPU training run spends most of its time undoing.
        nn.init.normal_(self.coord_head.weight, std=1e-3)
        nn.init.zeros_(self.coord_head.bias)

    def template_tokens(self) -> torch.Tensor:
        """(T, chunk) the flattened template split into tokens (x coordinates first, then y, then z)."""
        flat = self.template.T.reshape(-1)  # (3V,)
        flat = nn.functional.pad(flat, (0, self.chunk * self.num_template_tokens - flat.numel()))
        return flat.reshape(self.num_template_tokens, self.chunk)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        B = features.shape[0]
        template = self.template_embed(self.template_tokens()).expand(B, -1, -1)  # (B, T, C)
        x = torch.cat([self.pose_embed(features), template], dim=1)  # (B, J + T, C)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        if torch.is_grad_enabled() or torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
            offsets = self.coord_head(self.act(self.vertex_head(x)))  # (B, J + T, V) -> (B, 3, V)
        else:
            offsets = self.coord_head.sum_taps(self._taps_by_vertex_chunks(x))
        return self.template + offsets.transpose(1, 2)  # (B, V, 3)

    def _taps_by_vertex_chunks(self, x: torch.Tensor, chunk: int = 512) -> torch.Tensor:
        """Inference: the vertex head, its GELU and the output taps one chunk of vertices at a time,
        so the (B, J + T, V) activations never leave the CPU's cache (same numbers, ~2x faster here)."""
        w, b = self.vertex_head.weight, self.vertex_head.bias
        taps = x.new_empty(x.shape[0], 3, self.coord_head.out_channels, w.shape[0])  # (B, 3, 3, V)
        for start in range(0, w.shape[0], chunk):
            hidden = self.act(nn.functional.linear(x, w[start:start + chunk], b[start:start + chunk]))
            taps[..., start:start + chunk] = self.coord_head.taps(hidden)
        return taps


# -- The network ---------------------------------------------------------------------------------
class GTRS(nn.Module):
    """Pixel keypoints (B, J, 2|3) -> (vertices (B, V, 3), pose3d (B, J, 3)), metres, root-relative.

    The PAM features go to the MRM without detach: both modules train jointly (paper).
    """

    supports_bfloat16 = True  # every op has a bfloat16 CPU kernel (training under autocast)

    def __init__(self, cfg: "GTRSConfig", adjacency: torch.Tensor, template: torch.Tensor) -> None:
        super().__init__()
        self.cfg = cfg
        self.pam = PoseAnalysisModule(cfg, adjacency)
        self.mrm = MeshRegressionModule(cfg, template)

    @property
    def pose_module(self) -> nn.Module:
        """The part pre-trained alone (stage 'pam'): normalised 2D (B, J, 2) -> (pose3d, features)."""
        return self.pam

    def forward_features(self, keypoints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The PAM: (3D pose (B, J, 3), features (B, J, C))."""
        pose2d = normalize_keypoints(keypoints)  # (B, J, 2)
        if self.cfg.pam_missing_channel:
            pose2d = torch.cat([pose2d, 1 - visible_joints(keypoints)], dim=-1)  # (B, J, 3): x, y, missing
        return self.pam(pose2d)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """The MRM: features (B, J, C) -> vertices (B, V, 3)."""
        return self.mrm(features)

    def forward(self, keypoints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pose3d, features = self.forward_features(keypoints)
        return self.forward_head(features), pose3d


# -- Config --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GTRSConfig:
    """Everything that shapes the network. ``paper`` is faithful; ``cpu`` trains on 2 cores."""

    joint_set: str = "coco19"
    num_joints: int = 19
    num_vertices: int = 13718
    embed_dim: int = 128
    num_heads: int = 8
    mlp_ratio: float = 4.0
    skeleton_blocks: int = 2  # parallel Blocks per G_Block on the skeleton graph
    learned_blocks: int = 4  # ... and on a learnable identity-initialised graph
    pam_drop: float = 0.2
    pam_attn_drop: float = 0.2
    pam_drop_path: float = 0.2
    template_tokens: int = 15
    mrm_depth: int = 4
    mrm_drop_path: float = 0.2
    # Variant (not the paper): the PAM also sees which joints are missing (PoseAnalysisModule).
    pam_missing_channel: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def paper_config(joint_set: str = "coco19", num_joints: int = 19, num_vertices: int = 13718) -> GTRSConfig:
    """The paper's network (gtrs-reference.md §1)."""
    return GTRSConfig(joint_set=joint_set, num_joints=num_joints, num_vertices=num_vertices)


def cpu_config(joint_set: str = "coco19", num_joints: int = 19, num_vertices: int = 13718) -> GTRSConfig:
    """A cheaper variant for training on a 2-core CPU: 3 parallel Blocks per G_Block (1 skeleton +
    2 learned) instead of 6, 2 cross blocks instead of 4, 6 template tokens instead of 15, and less
    dropout (the synthetic data is unlimited, so regularisation matters less than capacity)."""
    return GTRSConfig(joint_set=joint_set, num_joints=num_joints, num_vertices=num_vertices, skeleton_blocks=1,
                      learned_blocks=2, template_tokens=6, mrm_depth=2, pam_drop=0.0, pam_attn_drop=0.0,
                      pam_drop_path=0.1, mrm_drop_path=0.1)


def cpu_missing_channel_config(joint_set: str = "coco19", num_joints: int = 19, num_vertices: int = 13718) -> GTRSConfig:
    """``cpu`` whose PAM also sees a missing-joint channel (issue #13's lever against hidden joints)."""
    return replace(cpu_config(joint_set, num_joints, num_vertices), pam_missing_channel=True)
