"""Building blocks shared by the GTRS modules (gtrs-reference.md §1.3-1.4).

Tensor shapes: B batch, N tokens (joints, template chunks, or both), C channels (128).
"""
from __future__ import annotations

import torch
from torch import nn


class DropPath(nn.Module):
    """Stochastic depth: drop the whole residual branch per sample with probability ``p``."""

    def __init__(self, p: float = 0.0) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.p == 0.0 or not self.training:
            return x
        keep = 1.0 - self.p
        mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep)
        return x * mask / keep


class ModulatedGraphConv(nn.Module):
    """Modulated graph convolution (Zou & Tang, ICCV 2021), as used by GTRS's PAM.

    out = (A' * I)(M * x W0) + (A' * (1 - I))(M * x W1) + b, with separate weights for a node
    itself (W0) and its neighbours (W1), a per-node modulation M (N, C_out), and A' the
    symmetrised sum of the adjacency and a learnable additive adjacency initialised to 1e-6.
    With ``adjacency=None`` the adjacency itself is learnable, initialised to the identity.
    """

    def __init__(self, in_features: int, out_features: int, num_nodes: int, adjacency: torch.Tensor | None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(2, in_features, out_features))
        nn.init.xavier_uniform_(self.weight, gain=1.414)
        # Modulation (xavier) and bias (uniform) initialised as in Zou & Tang's code, which GTRS uses:
        # each joint gets its own features from the first step (attention has no positional encoding).
        self.modulation = nn.Parameter(torch.empty(num_nodes, out_features))
        nn.init.xavier_uniform_(self.modulation, gain=1.414)
        self.adjacency_offset = nn.Parameter(torch.full((num_nodes, num_nodes), 1e-6))
        if adjacency is None:
            self.adjacency = nn.Parameter(torch.eye(num_nodes))
        else:
            self.register_buffer("adjacency", adjacency.clone().float())
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-out_features ** -0.5, out_features ** -0.5))
        self.register_buffer("eye", torch.eye(num_nodes), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, C_in) -> (B, N, C_out)
        h_self = self.modulation * (x @ self.weight[0])
        h_other = self.modulation * (x @ self.weight[1])
        adj = self.adjacency + self.adjacency_offset
        adj = 0.5 * (adj + adj.T)
        return (adj * self.eye) @ h_self + (adj * (1 - self.eye)) @ h_other + self.bias


class Attention(nn.Module):
    """Multi-head self-attention over tokens.

    Written out (softmax(q k^T / sqrt(d)) v) rather than through ``scaled_dot_product_attention``, and
    always in float32: for GTRS's 19-25 tokens the fused CPU kernel's backward pass is ~5x slower, and
    under bfloat16 autocast ~8x (measured: 25 ms vs 3 ms forward+backward for 32 x 8 heads x 19 tokens).
    """

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool, attn_drop: float, proj_drop: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.attn_drop = attn_drop
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, C)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.float().unbind(0)  # (B, heads, N, C / heads)
        with torch.autocast(x.device.type, enabled=False):
            attn = (q * (C // self.num_heads) ** -0.5) @ k.transpose(-2, -1)  # (B, heads, N, N)
            attn = nn.functional.dropout(attn.softmax(dim=-1), self.attn_drop, self.training)
            out = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(out))


class TokenConv(nn.Module):
    """The joint-wise convolution branch: tokens are channels, the feature axis is the sequence.

    Two parallel 1D convolutions (kernel 1 and 3, N -> hidden) are summed, then a kernel-3
    convolution maps back to N tokens. (The GELU between them is our choice; the reference does
    not say, and it adds no parameters.)
    """

    def __init__(self, num_tokens: int, hidden: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(num_tokens, hidden, kernel_size=1)
        self.conv2 = nn.Conv1d(num_tokens, hidden, kernel_size=3, padding=1)
        self.conv3 = nn.Conv1d(hidden, num_tokens, kernel_size=3, padding=1)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, C) -> (B, N, C)
        return self.conv3(self.act(self.conv1(x) + self.conv2(x)))


class MlpSE(nn.Module):
    """Token-wise MLP (C -> ratio*C -> C) followed by a squeeze-excitation gate over tokens:
    flatten (N*C) -> N -> 2N -> N, sigmoid, and each token is scaled by its gate."""

    def __init__(self, dim: int, num_tokens: int, mlp_ratio: float, drop: float) -> None:
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.act = nn.GELU()
        self.drop = nn.Dropout(drop)
        self.squeeze = nn.Linear(num_tokens * dim, num_tokens)
        self.excite1 = nn.Linear(num_tokens, 2 * num_tokens)
        self.excite2 = nn.Linear(2 * num_tokens, num_tokens)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, C)
        x = self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))
        gate = self.squeeze(x.flatten(1))  # (B, N)
        gate = torch.sigmoid(self.excite2(torch.relu(self.excite1(torch.relu(gate)))))
        return x * gate[..., None]


class GraphTransformerBlock(nn.Module):
    """The GTRS 'Block'.

    With a graph (PAM): x = MGCN(x), replacing x; then
        x = x + DropPath(Attention(LN1(x)) + TokenConv(LN2(x)))
        x = x + DropPath(MlpSE(LN3(x))).
    Without a graph (MRM) the attention and the conv branch share one LayerNorm.
    """

    def __init__(self, dim: int, num_tokens: int, num_heads: int = 8, mlp_ratio: float = 4.0, qkv_bias: bool = True,
                 drop: float = 0.0, attn_drop: float = 0.0, drop_path: float = 0.0, graph: bool = False,
                 adjacency: torch.Tensor | None = None) -> None:
        super().__init__()
        self.gcn = ModulatedGraphConv(dim, dim, num_tokens, adjacency) if graph else None
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim) if graph else None
        self.attn = Attention(dim, num_heads, qkv_bias, attn_drop, drop)
        self.conv = TokenConv(num_tokens)
        self.norm3 = nn.LayerNorm(dim)
        self.mlp = MlpSE(dim, num_tokens, mlp_ratio, drop)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, C)
        if self.gcn is not None:
            x = self.gcn(x)
        a = self.norm1(x)
        c = self.norm2(x) if self.norm2 is not None else a
        x = x + self.drop_path(self.attn(a) + self.conv(c))
        return x + self.drop_path(self.mlp(self.norm3(x)))
