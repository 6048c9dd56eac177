"""Training poses beyond the captured ones: posture families inside the joint limits, mixed with
captured motion, and captured poses perturbed inside the limits.

A generated pose starts from a random captured pose (for the bones a family leaves alone: neck,
head, hands, and limbs it does not set), then sets the pelvis tilt, leg and arm chains drawn from
the family's ranges (``gtrs.synthetic.posture_families``), bends and turns the spine, and orients the
whole body (upright, leaning, lying on the back, front or side, upside down). Bodies whose segments
pass through each other (``gtrs.body.self_contact``) are drawn again.
"""
from __future__ import annotations

import math
from pathlib import Path

import roma
import torch

from gtrs.body.joint_limits import JointLimits
from gtrs.body.self_contact import SelfContact
from gtrs.body.skeleton import Skeleton
from gtrs.body.symmetry import mirror_name
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.posture_families import ARMS, FAMILIES, LEGS, Chain, PostureFamily

SPINE = ("LowerBack", "Spine", "Spine1")
LEG_BONES = ("LeftUpLeg", "LeftLeg", "LeftFoot")
ARM_BONES = ("LeftArm", "LeftForeArm", "LeftHand")
RANDOM_TWIST = math.radians(20.0)  # twist range of 'random' chains (the limits allow far more)
ORIENTATION_JITTER = 10.0  # degrees, about a random axis, for every orientation but 'lean'


def _uniform(lo: torch.Tensor | float, hi: torch.Tensor | float, n: int, g: torch.Generator) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _about(axis: tuple[float, float, float], degrees: torch.Tensor) -> torch.Tensor:
    """(n, 3, 3) rotations by ``degrees`` (n,) about a fixed world axis."""
    return roma.rotvec_to_rotmat(torch.tensor(axis)[None] * torch.deg2rad(degrees)[:, None])


def _random_axis_rotation(degrees: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    axis = torch.nn.functional.normalize(torch.randn(len(degrees), 3, generator=g), dim=-1)
    return roma.rotvec_to_rotmat(axis * torch.deg2rad(degrees)[:, None])


class PostureGenerator:
    """Draws poses (n, K, 3, 3) of the families in ``FAMILIES`` for ``skeleton``.

    ``captured`` (N, K, 3, 3) are the poses the families start from (the training split).
    """

    def __init__(self, skeleton: Skeleton, captured: torch.Tensor, families: tuple[PostureFamily, ...] = FAMILIES,
                 max_rounds: int = 10) -> None:
        self.skeleton, self.captured, self.families = skeleton, captured.float(), families
        self.limits = JointLimits(skeleton)
        self.contact = SelfContact(skeleton)
        self.max_rounds = max_rounds
        self.index = {name: i for i, name in enumerate(skeleton.names)}
        self.family_names = [f.name for f in families]
        self.drawn = self.rejected = 0  # counts of self-penetrating draws, for reports

    # -- chains ---------------------------------------------------------------------------------
    def _chain_angles(self, chain: Chain | str, bones: tuple[str, ...], n: int, g: torch.Generator) -> torch.Tensor:
        """(n, len(bones), 3) radians for a named chain's left bones ('random': uniform in the limits)."""
        out = torch.zeros(n, len(bones), 3)
        for i, bone in enumerate(bones):
            k = self.index[bone]
            if chain == "random":
                lo, hi = self.limits.low[k].clone(), self.limits.high[k].clone()
                lo[2], hi[2] = max(lo[2], -RANDOM_TWIST), min(hi[2], RANDOM_TWIST)
                out[:, i] = lo + (hi - lo) * torch.rand(n, 3, generator=g)
            else:
                for axis, (lo, hi) in enumerate(chain[bone]):
                    out[:, i, axis] = torch.deg2rad(_uniform(float(lo), float(hi), n, g))
        return out

    def _set_chain(self, angles: torch.Tensor, setmask: torch.Tensor, rows: torch.Tensor, options: tuple[str, ...],
                   table: dict[str, Chain], bones: tuple[str, ...], right: torch.Tensor, g: torch.Generator) -> None:
        """Write a chain drawn from ``options`` into ``angles`` for ``rows``, on the right side where ``right``."""
        if len(rows) == 0:
            return
        pick = torch.randint(0, len(options), (len(rows),), generator=g)
        for o, name in enumerate(options):
            sel = rows[pick == o]
            if len(sel) == 0:
                continue
            chain = "random" if name == "random" else table[name]
            values = self._chain_angles(chain, bones, len(sel), g)
            side = right[sel]
            for i, bone in enumerate(bones):
                k_left, k_right = self.index[bone], self.index[mirror_name(bone)]
                k = torch.where(side, torch.tensor(k_right), torch.tensor(k_left))
                angles[sel, k] = values[:, i]
                setmask[sel, k] = True

    # -- families -------------------------------------------------------------------------------
    def _family(self, fam: PostureFamily, n: int, g: torch.Generator) -> torch.Tensor:
        base = self.captured[torch.randint(0, len(self.captured), (n,), generator=g)].clone()
        angles = self.limits.to_angles(base)
        setmask = torch.zeros(n, len(self.skeleton.names), dtype=torch.bool)
        rows = torch.arange(n)
        flip = torch.rand(n, generator=g) < 0.5  # which side takes the 'other' chain
        nobody = torch.zeros(n, dtype=torch.bool)
        legs = fam.legs
        if legs is not None:
            if fam.other_leg is None:
                self._set_chain(angles, setmask, rows, legs, LEGS, LEG_BONES, nobody, g)
                self._set_chain(angles, setmask, rows, legs, LEGS, LEG_BONES, ~nobody, g)
            else:
                self._set_chain(angles, setmask, rows, legs, LEGS, LEG_BONES, flip, g)
                self._set_chain(angles, setmask, rows, fam.other_leg, LEGS, LEG_BONES, ~flip, g)
        arm_options = tuple(a for a in ARMS if a != "crossed_outer") + ("random",)
        if fam.arms is None:  # captured arms half the time, else any arm chain per arm
            chosen = rows[torch.rand(n, generator=g) < 0.5]
            self._set_chain(angles, setmask, chosen, arm_options, ARMS, ARM_BONES, nobody, g)
            chosen = rows[torch.rand(n, generator=g) < 0.5]
            self._set_chain(angles, setmask, chosen, arm_options, ARMS, ARM_BONES, ~nobody, g)
        elif fam.one_arm:
            self._set_chain(angles, setmask, rows, fam.arms, ARMS, ARM_BONES, flip, g)
        elif fam.other_arm is not None:
            self._set_chain(angles, setmask, rows, fam.arms, ARMS, ARM_BONES, flip, g)
            self._set_chain(angles, setmask, rows, fam.other_arm, ARMS, ARM_BONES, ~flip, g)
        else:
            self._set_chain(angles, setmask, rows, fam.arms, ARMS, ARM_BONES, nobody, g)
            self._set_chain(angles, setmask, rows, fam.arms, ARMS, ARM_BONES, ~nobody, g)
        tilt = _uniform(*fam.tilt, n, g)
        if fam.compensate_tilt:  # legs keep their set angle to the vertical
            for side in ("LeftUpLeg", "RightUpLeg"):
                angles[:, self.index[side], 0] -= torch.deg2rad(tilt)
        posed = torch.where(setmask[..., None, None], self.limits.from_angles(angles), base)
        flex, turn = _uniform(*fam.spine_flex, n, g) / len(SPINE), _uniform(*fam.spine_turn, n, g) / len(SPINE)
        bend = _about((0.0, 1.0, 0.0), turn) @ _about((1.0, 0.0, 0.0), flex)
        for bone in SPINE:
            k = self.index[bone]
            posed[:, k] = bend @ posed[:, k]
        posed[:, 0] = self._orientation(fam, n, g) @ _about((1.0, 0.0, 0.0), tilt)
        return posed

    def _orientation(self, fam: PostureFamily, n: int, g: torch.Generator) -> torch.Tensor:
        options = fam.orientations
        pick = torch.randint(0, len(options), (n,), generator=g)
        out = torch.eye(3).repeat(n, 1, 1)
        zero = torch.zeros(n)
        fixed = {"upright": zero, "back": zero - 90.0, "front": zero + 90.0, "inverted": zero + 180.0}
        for o, name in enumerate(options):
            sel = pick == o
            m = int(sel.sum())
            if m == 0:
                continue
            if name == "lean":
                out[sel] = _random_axis_rotation(_uniform(15.0, 35.0, m, g), g)
                continue
            if name == "side":
                sign = torch.where(torch.rand(m, generator=g) < 0.5, -1.0, 1.0)
                R = _about((0.0, 0.0, 1.0), 90.0 * sign)
            else:
                R = _about((1.0, 0.0, 0.0), fixed[name][:m])
            out[sel] = _random_axis_rotation(_uniform(0.0, ORIENTATION_JITTER, m, g), g) @ R
        return out

    def sample(self, n: int, generator: torch.Generator, family: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` poses (n, K, 3, 3) and their family indices (n,); ``family`` restricts to one family."""
        if family is not None:
            which = torch.full((n,), self.family_names.index(family))
        else:
            which = torch.randint(0, len(self.families), (n,), generator=generator)
        out = torch.empty(n, len(self.skeleton.names), 3, 3)
        for f in which.unique().tolist():
            rows = (which == f).nonzero()[:, 0]
            out[rows] = self._valid(self.families[f], len(rows), generator)
        return out, which

    def _valid(self, fam: PostureFamily, n: int, g: torch.Generator) -> torch.Tensor:
        """``n`` poses of ``fam`` that do not pass through themselves (redrawn up to ``max_rounds``)."""
        kept: list[torch.Tensor] = []
        need = n
        for _ in range(self.max_rounds):
            draw = self._family(fam, max(2 * need, 16), g)  # oversample: some families reject most draws
            bad = self.contact.penetrates(draw)
            self.drawn += len(draw)
            self.rejected += int(bad.sum())
            kept.append(draw[~bad])
            need -= int((~bad).sum())
            if need <= 0:
                break
        poses = torch.cat(kept)
        if len(poses) == 0:
            raise RuntimeError(f"posture family {fam.name!r}: every draw passed through itself; check its ranges")
        if len(poses) < n:  # rare: repeat valid ones rather than keep a penetrating body
            poses = poses[torch.randint(0, len(poses), (n,), generator=g)]
        return poses[:n]


def perturb_within_limits(rotations: torch.Tensor, limits: JointLimits, sigma_degrees: float,
                          generator: torch.Generator) -> torch.Tensor:
    """Captured poses with every limited bone's angles moved by N(0, sigma), kept inside the limits
    (or, for an angle the capture already has outside them, no further out than it was)."""
    if sigma_degrees <= 0:
        return rotations
    angles = limits.to_angles(rotations)
    moved = angles + math.radians(sigma_degrees) * torch.randn(angles.shape, generator=generator, dtype=angles.dtype)
    low = torch.minimum(angles, limits.low.to(angles.dtype))
    high = torch.maximum(angles, limits.high.to(angles.dtype))
    moved = torch.maximum(torch.minimum(moved, high), low)
    out = limits.from_angles(moved)
    return torch.where(limits.limited[:, None, None], out, rotations)


def training_pose_mix(data_dir: str | Path, samples: int, generator: torch.Generator, skeleton: Skeleton) -> torch.Tensor:
    """(samples, K, 3, 3) float32 poses like the network's training, for what is fitted to them (the pose
    prior, the refinement's joint limits): half drawn from the captured training split of ``data_dir``,
    half generated by the posture families."""
    captured = load_split_rotations(data_dir, "train")
    half = samples // 2
    picked = captured[torch.randint(0, len(captured), (half,), generator=generator)]
    families = PostureGenerator(skeleton, captured)
    generated = torch.cat([families.sample(min(4096, half - n), generator)[0] for n in range(0, half, 4096)])
    return torch.cat([picked.float(), generated.float()])
