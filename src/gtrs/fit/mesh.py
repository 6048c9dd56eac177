"""Fit the body model to a predicted mesh: vertices -> per-bone rotations, shape and root.

The network regresses free vertices, which can tear; the body model cannot. Both share one topology,
so the fit is a registration with known correspondences:

1. **Analytic start.** Each bone's world rotation is the rigid (Kabsch) alignment of the vertices it
   dominates (skin weight >= 0.5) at rest to the same vertices in the target; bones that dominate
   no vertices (clavicles, hip joints, neck) inherit their parent's. One batched SVD.
2. **Gauss-Newton (Levenberg-Marquardt)** on every bone's rotation, the root translation and the
   shape, with the linear-blend-skinning Jacobian written out: turning bone ``k`` by a small ``d``
   about its head ``h_k`` moves vertex ``i`` by ``s_ik d x (v_i - h_k)``, where ``s_ik`` is the
   vertex's total skin weight on ``k`` and its descendants. The shape's Jacobian is taken by finite
   differences of the rest body on the sampled vertices, posed by the same skinning. Residuals are Huber-weighted so that a
   few wild network vertices (spiky hands) do not drag the body; each person keeps its own damping,
   and a step that raises its error is undone.

Each step poses only the sampled vertices it compares, skinned in torch (``gtrs.body.skinning``: exactly
the body model's own skinning); the whole mesh is posed once, at the end. Everything runs on the whole
batch at once: no Python loop over people.
"""
from __future__ import annotations

from dataclasses import dataclass

import roma
import torch

from gtrs.body.base import BodyModel
from gtrs.body.mesh_quality import edge_lengths, mesh_edges, torn_meshes
from gtrs.body.skeleton import Skeleton, skeleton_of
from gtrs.body.skinning import RestPoints, skin_points

DOMINANT_WEIGHT = 0.5
MIN_DOMINANT_VERTICES = 20
WEAK_BONE_PARTS = ("Hand", "Finger", "Thumb")  # the network's hands are noisy: keep these near rest


@dataclass(frozen=True)
class MeshFitConfig:
    iterations: int = 6  # Gauss-Newton steps
    shape_iterations: int = 2  # of those, how many also update the shape
    vertex_stride: int = 16  # residuals on every n-th vertex (the fitted mesh is still the whole body)
    huber_m: float = 0.03  # residuals beyond this many metres count linearly
    damping: float = 1e-3  # initial Levenberg-Marquardt damping, relative to the Hessian's diagonal
    shape_prior: float = 1e-4  # pull of the shape towards the body's prior shape (per unit of shape, squared)
    # times the body's own pulls (``BodyModel.shape_prior``: for anny, gender and age towards a neutral
    # 30-year-old, which a network's mesh says little about); 0: the mesh alone decides them
    body_prior: float = 1.0
    shape_step: float = 0.05  # finite-difference step for the shape Jacobian
    # Pull of each bone's rotation towards the rest pose (per rad^2, against squared-metre residuals).
    # The bones the mesh says little about (clavicles, hip joints, neck: no vertex of their own; hands and
    # fingers: spiky in the network's mesh) get the strong pull; without it they can wander into
    # half-turns that pinch the skin (a torn body).
    rotation_prior: float = 1e-3
    weak_bone_prior: float = 0.3
    # A fitted body that still comes out torn (a wild target: most joints unseen) is fitted again with
    # these pulls multiplied by ``retry_prior_factor``, up to ``retries`` times.
    retries: int = 2
    retry_prior_factor: float = 10.0


@dataclass
class BodyFit:
    """A body fitted to meshes. ``distance_mm`` is each person's median vertex distance to its target."""

    rotations: torch.Tensor  # (B, K, 3, 3) per bone, relative to the parent, world axes
    shape: torch.Tensor  # (B, S)
    translation: torch.Tensor  # (B, 3) root (Hips) head
    vertices: torch.Tensor  # (B, V, 3)
    bone_heads: torch.Tensor  # (B, K, 3)
    distance_mm: torch.Tensor  # (B,)


class MeshFitter:
    """Fits ``body`` to (B, V, 3) meshes of its own topology; see the module docstring."""

    def __init__(self, body: BodyModel, cfg: MeshFitConfig = MeshFitConfig()) -> None:
        self.body, self.cfg = body, cfg
        self.skeleton = skeleton_of(body)
        K = body.num_bones
        weights = body.skin_weights()  # (V, K)
        descendant = torch.zeros(K, K, dtype=weights.dtype)  # [j, k] = 1 if j is k or below it
        for j in range(K):
            k = j
            while k >= 0:
                descendant[j, k] = 1.0
                k = self.skeleton.parents[k]
        self.sample = torch.arange(0, body.num_vertices, cfg.vertex_stride)
        self.subtree_weights = (weights @ descendant)[self.sample]  # (S, K)
        sw = self.subtree_weights
        # s_ik s_il for the bone pairs k <= l that share a vertex (a fifth of all pairs: bones on different
        # limbs share none); the moments are symmetric in k and l, so the rest are copies or zero.
        k, l = torch.triu_indices(K, K)
        shared = (sw[:, k] * sw[:, l]).sum(0) > 0
        self.pairs = torch.stack([k[shared], l[shared]])  # (2, Q)
        self.pair_weights = sw[:, self.pairs[0]] * sw[:, self.pairs[1]]  # (S, Q)
        self.sample_weights = weights[self.sample]  # (S, K) the sampled vertices' own skin weights
        with torch.no_grad():
            rest = body()
        self.rest_vertices = rest.vertices[0]  # (V, 3), hips head at the origin
        self.mean_shape, strength = body.shape_prior()  # where the fit starts and what it is pulled towards
        self.shape_weights = cfg.shape_prior + cfg.body_prior * strength  # (D,) the pull on each parameter
        self.dominant, self.dominant_mask, self.registered = self._dominant_sets(weights)
        weak = [k for k, name in enumerate(self.skeleton.names) if k > 0 and (
            k not in self.registered or any(part in name for part in WEAK_BONE_PARTS))]
        self.prior = torch.full((K,), cfg.rotation_prior, dtype=weights.dtype)
        self.prior[0] = 0.0  # the root turns freely
        self.prior[weak] = cfg.weak_bone_prior
        self.edges = mesh_edges(body.faces)
        self.rest_lengths = edge_lengths(self.rest_vertices[None], self.edges)[0]

    def _dominant_sets(self, weights: torch.Tensor):
        """Padded (K', N) vertex indices each registered bone dominates, their mask, and which bones."""
        sets = [torch.nonzero(weights[:, k] >= DOMINANT_WEIGHT).flatten() for k in range(weights.shape[1])]
        registered = [k for k, s in enumerate(sets) if len(s) >= MIN_DOMINANT_VERTICES or k == 0]
        # Cap every set so the padded tensor stays small; evenly spaced vertices keep the spread.
        capped = [sets[k][torch.linspace(0, len(sets[k]) - 1, min(len(sets[k]), 256)).long()] for k in registered]
        n = max(len(s) for s in capped)
        index = torch.zeros(len(capped), n, dtype=torch.long)
        mask = torch.zeros(len(capped), n, dtype=weights.dtype)
        for row, s in enumerate(capped):
            index[row, :len(s)], mask[row, :len(s)] = s, 1.0
        return index, mask, registered

    # -- 1. analytic start ----------------------------------------------------------------------
    def initial_pose(self, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, V, 3) -> local rotations (B, K, 3, 3) and root translation (B, 3) by per-bone Kabsch."""
        B = target.shape[0]
        source = self.rest_vertices[self.dominant].expand(B, -1, -1, -1)  # (B, K', N, 3)
        goal = target[:, self.dominant]  # (B, K', N, 3)
        R, t = roma.rigid_points_registration(source, goal, weights=self.dominant_mask.expand(B, -1, -1))
        world = [None] * self.body.num_bones
        for row, k in enumerate(self.registered):
            world[k] = R[:, row]
        for k, p in enumerate(self.skeleton.parents):
            if world[k] is None:
                world[k] = world[p]
        world = torch.stack(world, dim=1)
        local = world.clone()
        parents = torch.tensor(self.skeleton.parents[1:])
        local[:, 1:] = world[:, parents].transpose(-1, -2) @ world[:, 1:]
        return local, t[:, 0]  # rest hips head is the origin, so the root's translation is the hips'

    # -- 2. Gauss-Newton ------------------------------------------------------------------------
    def _normal_equations(self, verts, heads, residual, robust, shape_jac):
        """Gauss-Newton system H (B, P, P), g (B, P) for [bone turns (3K), translation (3), shape (D)].

        With a_ik = v_i - h_k, the turn columns of the Jacobian are J_ik = -s_ik [a_ik]x, so
        H_kl = sum_i rho_i s_ik s_il ((a_ik . a_il) I - a_il a_ik^T); the sums over vertices are
        expanded into moments of v_i (batched matrix products) instead of building J itself: the
        moments sum_i rho_i s_ik s_il [1, v_i, v_i v_i^T] are one product with the fixed pair weights
        s_ik s_il (S, Q) of the Q bone pairs that share a vertex, ~3x faster than weighting the vertices per
        bone first.
        """
        B, S, _ = verts.shape
        K = heads.shape[1]
        s = self.subtree_weights.to(verts.dtype)  # (S, K)
        q = (robust[..., None] * s).transpose(1, 2)  # (B, K, S): rho_i s_ik
        outer = (verts[..., :, None] * verts[..., None, :]).reshape(B, S, 9)
        rho = robust[..., None]
        weighted = torch.cat([rho, rho * verts, rho * outer], -1)  # (B, S, 13)
        compact = weighted.transpose(1, 2) @ self.pair_weights.to(verts.dtype)  # (B, 13, Q)
        moments = verts.new_zeros(B, 13, K, K)
        moments[:, :, self.pairs[0], self.pairs[1]] = compact
        moments[:, :, self.pairs[1], self.pairs[0]] = compact
        m0 = moments[:, 0]  # (B, K, K)
        m1 = moments[:, 1:4].permute(0, 2, 3, 1)  # (B, K, K, 3)
        m2 = moments[:, 4:].permute(0, 2, 3, 1).reshape(B, K, K, 3, 3)
        hk, hl = heads[:, :, None, :, None], heads[:, None, :, None, :]  # (B, K, 1, 3, 1), (B, 1, K, 1, 3)
        M = m2 - m1[..., :, None] * hl - hk * m1[..., None, :] + m0[..., None, None] * hk * hl  # sum a_k a_l^T
        eye = torch.eye(3, dtype=verts.dtype)
        H_rr = torch.diagonal(M, dim1=-2, dim2=-1).sum(-1)[..., None, None] * eye - M.transpose(-1, -2)
        H_rr = H_rr.permute(0, 1, 3, 2, 4).reshape(B, 3 * K, 3 * K)
        # turn-translation: sum rho s_ik [a_ik]x ; translation-translation: sum rho I
        sum_sv = (q @ verts) - q.sum(-1, keepdim=True) * heads  # (B, K, 3): sum rho s_ik a_ik
        H_rt = _skew(sum_sv).reshape(B, 3 * K, 3)
        H_tt = robust.sum(-1)[:, None, None] * eye
        # gradient: g_k = sum rho s_ik a_ik x r_i ; g_t = sum rho r_i
        g_r = (q @ torch.cross(verts, residual, dim=-1)) - torch.cross(heads, q @ residual, dim=-1)
        g_t = (robust[..., None] * residual).sum(1)
        top = torch.cat([torch.cat([H_rr, H_rt], -1), torch.cat([H_rt.transpose(1, 2), H_tt], -1)], 1)
        g = torch.cat([g_r.reshape(B, 3 * K), g_t], -1)
        if shape_jac is None:
            return top, g
        D = shape_jac.shape[-1]
        rj = robust[..., None, None] * shape_jac  # (B, S, 3, D)
        # turn-shape: sum rho s_ik a_ik x Jp_ic ; translation-shape: sum rho Jp_i
        cross_vj = torch.cross(verts[..., None].expand_as(shape_jac), rj, dim=2)  # (B, S, 3, D)
        sum_j = s.T @ rj.reshape(B, S, 3 * D)  # (B, K, 3D): sum rho s_ik Jp_i
        H_rp = (s.T @ cross_vj.reshape(B, S, 3 * D)).reshape(B, K, 3, D) \
            - torch.cross(heads[..., None].expand(B, K, 3, D), sum_j.reshape(B, K, 3, D), dim=2)
        H_tp = rj.sum(1)  # (B, 3, D)
        H_pp = torch.einsum("bsxc,bsxd->bcd", rj, shape_jac)
        g_p = torch.einsum("bsxc,bsx->bc", rj, residual)
        side = torch.cat([H_rp.reshape(B, 3 * K, D), H_tp], 1)  # (B, 3K + 3, D)
        H = torch.cat([torch.cat([top, side], -1), torch.cat([side.transpose(1, 2), H_pp], -1)], 1)
        return H, torch.cat([g, g_p], -1)

    def _pose(self, rest: RestPoints, rotations, translation) -> tuple[torch.Tensor, torch.Tensor]:
        """The sampled vertices (B, S, 3) and bone heads (B, K, 3) of the posed body."""
        return skin_points(rest, self.sample_weights, self.skeleton.parents, rotations, translation)

    def _shape_jacobian(self, rotations, shape, rest: RestPoints) -> torch.Tensor:
        """(B, S, 3, D) finite-difference Jacobian of the posed sampled vertices w.r.t. the shape: the
        rest body's change for each parameter (blend shapes on the sampled vertices only), posed."""
        B, D = shape.shape
        step = torch.where(shape + self.cfg.shape_step <= 1, self.cfg.shape_step, -self.cfg.shape_step)  # stay in [0, 1]
        shifted = self.body.rest_points((shape[:, None] + torch.diag_embed(step)).reshape(B * D, D), self.sample)
        change = RestPoints(shifted.points.reshape(B, D, -1, 3) - rest.points[:, None],
                            shifted.heads.reshape(B, D, -1, 3) - rest.heads[:, None])  # D rest bodies per pose
        moved, _ = self._pose(change, rotations, None)  # (B, D, S, 3): the skinning is affine
        return (moved / step[..., None, None]).permute(0, 2, 3, 1)

    @torch.no_grad()
    def __call__(self, target: torch.Tensor, shape: torch.Tensor | None = None,
                 iterations: int | None = None, fixed: dict[int, torch.Tensor] | None = None) -> BodyFit:
        """Fit the body to (B, V, 3) target meshes (metres, the body's own vertex order). Given
        ``shape`` (B, S) (one person seen in many frames keeps one skeleton), only the pose is fitted;
        given ``fixed`` (shape index -> (B,) values: what the user knows, ``gtrs.fit.shape_hints``),
        those shape parameters are held and the others fitted.
        A fit that comes out torn is redone with stronger pulls towards the rest pose. ``iterations``
        overrides the configured number of Gauss-Newton steps."""
        iterations = self.cfg.iterations if iterations is None else iterations
        fixed = {k: torch.as_tensor(v, dtype=self.body.dtype).expand(target.shape[0]) for k, v in (fixed or {}).items()}
        fit = self._fit(target, shape, 1.0, iterations, fixed)
        for attempt in range(1, self.cfg.retries + 1):
            torn = torn_meshes(fit.vertices, self.rest_lengths, self.edges)
            if not torn.any():
                break
            again = self._fit(target[torn], None if shape is None else shape[torn],
                              self.cfg.retry_prior_factor ** attempt, iterations, {k: v[torn] for k, v in fixed.items()})
            for name in ("rotations", "shape", "translation", "vertices", "bone_heads", "distance_mm"):
                getattr(fit, name)[torn] = getattr(again, name)
        return fit

    def _fit(self, target: torch.Tensor, shape: torch.Tensor | None, prior_scale: float, iterations: int,
             fixed: dict[int, torch.Tensor] | None = None) -> BodyFit:
        cfg, body = self.cfg, self.body
        target = target.to(body.dtype)
        B, K = target.shape[0], body.num_bones
        goal = target[:, self.sample]
        rotations, translation = self.initial_pose(target)
        shape_iterations = cfg.shape_iterations if shape is None else 0
        shape = self.mean_shape.expand(B, -1).clone() if shape is None else shape.to(body.dtype).clone()
        held = torch.zeros(shape.shape[1], dtype=torch.bool)  # shape parameters the user gave
        for k, values in (fixed or {}).items():
            shape[:, k], held[k] = values, True
        weights = self.shape_weights.to(body.dtype) * (~held).to(body.dtype) if shape_iterations else None

        def shape_cost(s: torch.Tensor) -> torch.Tensor | float:
            return 0.0 if weights is None else 0.5 * (weights * (s - self.mean_shape).square()).sum(-1)

        rest = body.rest_points(shape, self.sample)
        verts, heads = self._pose(rest, rotations, translation)
        cost = _huber_cost(verts - goal, cfg.huber_m) + shape_cost(shape)
        damping = torch.full((B,), cfg.damping, dtype=body.dtype)
        for it in range(iterations):
            with_shape = it < shape_iterations
            residual = goal - verts  # (B, S, 3)
            robust = _huber_weights(residual, cfg.huber_m)  # (B, S)
            shape_jac = self._shape_jacobian(rotations, shape, rest) if with_shape else None
            if shape_jac is not None and held.any():
                shape_jac[..., held] = 0.0  # a held parameter gets no gradient, so its step is exactly 0
            H, g = self._normal_equations(verts, heads, residual, robust, shape_jac)
            # rotation prior: lambda_k |r_k + W_p^T d_k|^2 with r_k the local rotation vector (to first order)
            local = roma.rotmat_to_rotvec(rotations)  # (B, K, 3)
            world = self.skeleton.world_rotations(rotations)
            parent_world = torch.cat([torch.eye(3, dtype=world.dtype).expand(B, 1, 3, 3),
                                      world[:, torch.tensor(self.skeleton.parents[1:])]], 1)
            prior = prior_scale * self.prior.to(H.dtype)
            H[:, :3 * K, :3 * K] += torch.diag_embed(prior.repeat_interleave(3)).expand(B, -1, -1)
            g[:, :3 * K] -= (prior[None, :, None] * (parent_world @ local[..., None])[..., 0]).reshape(B, 3 * K)
            if with_shape:
                D = shape.shape[1]
                H[:, -D:, -D:] += torch.diag(self.shape_weights.to(H.dtype))
                g[:, -D:] -= weights * (shape - self.mean_shape)
            diag = torch.diagonal(H, dim1=1, dim2=2)
            H = H + torch.diag_embed(damping[:, None] * diag + 1e-9)
            step = torch.linalg.solve(H, g)
            new_rot = _turn_bones(self.skeleton, rotations, step[:, :3 * K].reshape(B, K, 3))
            new_trans = translation + step[:, 3 * K:3 * K + 3]
            new_shape = (shape + step[:, 3 * K + 3:]).clamp(0, 1) if with_shape else shape
            new_rest = body.rest_points(new_shape, self.sample) if with_shape else rest
            new_verts, new_heads = self._pose(new_rest, new_rot, new_trans)
            new_cost = _huber_cost(new_verts - goal, cfg.huber_m) + shape_cost(new_shape)
            better = new_cost <= cost
            keep = better[:, None, None]
            rotations = torch.where(better[:, None, None, None], new_rot, rotations)
            translation = torch.where(better[:, None], new_trans, translation)
            shape = torch.where(better[:, None], new_shape, shape)
            rest = RestPoints(torch.where(keep, new_rest.points, rest.points), torch.where(keep, new_rest.heads, rest.heads))
            verts, heads = torch.where(keep, new_verts, verts), torch.where(keep, new_heads, heads)
            cost = torch.where(better, new_cost, cost)
            damping = torch.where(better, damping / 3, damping * 10)
        out = body(rotations, shape, translation)  # the whole mesh, once
        distance = (out.vertices - target).norm(dim=-1).median(dim=1).values * 1000
        return BodyFit(rotations, shape, translation, out.vertices, out.bone_heads, distance)


def _turn_bones(skeleton: Skeleton, rotations: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
    """Apply world-axis turns (B, K, 3) about each bone's head, carrying the bones below along:
    local R_k <- W_p^T exp(turn_k) W_p R_k (W_p: the parent's world rotation), root R_0 <- exp(turn_0) R_0."""
    world = skeleton.world_rotations(rotations)
    E = roma.rotvec_to_rotmat(turns)
    parents = torch.tensor(skeleton.parents[1:])
    Wp = world[:, parents]
    out = rotations.clone()
    out[:, 0] = E[:, 0] @ rotations[:, 0]
    out[:, 1:] = Wp.transpose(-1, -2) @ E[:, 1:] @ Wp @ rotations[:, 1:]
    return roma.special_procrustes(out)  # keep them exact rotations after many steps


def _skew(v: torch.Tensor) -> torch.Tensor:
    """(..., 3) -> (..., 3, 3) cross-product matrices [v]x."""
    x, y, z = v.unbind(-1)
    o = torch.zeros_like(x)
    return torch.stack([o, -z, y, z, o, -x, -y, x, o], dim=-1).reshape(*v.shape, 3)


def _huber_weights(residual: torch.Tensor, m: float) -> torch.Tensor:
    """(B, S, 3) -> (B, S) IRLS weights of the Huber loss on each vertex's distance."""
    return (m / residual.norm(dim=-1).clamp(min=1e-12)).clamp(max=1.0)


def _huber_cost(residual: torch.Tensor, m: float) -> torch.Tensor:
    d = residual.norm(dim=-1)
    return torch.where(d <= m, 0.5 * d.square(), m * (d - 0.5 * m)).sum(-1)
