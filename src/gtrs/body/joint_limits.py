"""Anatomical joint limits on the cmu_mb rig, as swing/twist ranges per bone.

Each bone's rotation (relative to its parent, world axes) is split into a *swing*, which moves the
bone's direction, and a *twist* about the bone's rest direction ``t``. The swing is a rotation
vector in the plane normal to ``t``, written in two components:

- ``flex`` about the bone's lateral axis ``f`` (the body's +X made normal to ``t``; for the elbow the
  hinge axis, upper arm x forearm; for the clavicle and the hip joint, which point along X, the
  forward axis +Z instead);
- ``abduct`` about ``a = t x f``.

Limits are boxes on (flex, abduct, twist) in degrees, for the left side and the centre line; a right
bone is mirrored to its left twin (R -> M R M, M = diag(-1, 1, 1)) and uses the same box. Signs on
this rig (body facing +Z, left = +X, Y up), all measured from anny's rest A-pose:

| bone | flex > 0 | abduct > 0 | twist > 0 |
|---|---|---|---|
| UpLeg (hip) | thigh backwards (extension) | thigh outwards | leg turned inwards |
| Leg (knee) | knee flexion | - | - |
| Foot (ankle) | toes down (plantarflexion) | toes outwards | - |
| LowerBack/Spine/Spine1, Neck/Neck1/Head | bend forward | bend to the left | turn to the left |
| Arm (shoulder) | arm backwards (extension) | arm up sideways (rest is 42 deg abducted) | - |
| ForeArm (elbow) | more flexion (rest is 41 deg flexed) | - | pronation/supination |
| Shoulder (clavicle) | raise the shoulder | shoulder forwards | - |

Ranges: the American Academy of Orthopaedic Surgeons' normal active ranges of motion (AAOS, *Joint
Motion: Method of Measuring and Recording*, 1965; as tabulated in Norkin & White, *Measurement of
Joint Motion*, 5th ed., 2016, appendix A): hip flexion 120, extension 30, abduction 45, adduction 30,
rotation 45 each way; knee flexion 135 (extended to 150 here: kneeling and deep squats reach it
passively, Norkin & White report 150-160 passive); ankle dorsiflexion 20, plantarflexion 50;
thoracolumbar flexion 80, extension 25, lateral flexion 35, rotation 45 (split over three spine
bones); cervical flexion 45, extension 45, lateral 45, rotation 60-80 (split over Neck, Neck1, Head);
shoulder flexion 180, extension 60, abduction 180, internal rotation 70, external rotation 90;
elbow flexion 150; forearm pronation and supination 80; wrist flexion 80, extension 70.
Directions with no published limit (finger and toe bones, the rig's pelvis-to-hip bone) get small
boxes. The boxes are loose (each angle alone, not their coupling); ``gtrs.body.self_contact``
rejects bodies that pass through themselves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import roma
import torch

from gtrs.body.skeleton import Skeleton
from gtrs.body.symmetry import mirror_name


@dataclass(frozen=True)
class JointRange:
    """Degrees: (low, high) of the swing about the lateral axis, about the abduction axis, and twist."""

    flex: tuple[float, float]
    abduct: tuple[float, float]
    twist: tuple[float, float]
    lateral: str = "x"  # 'x', 'z' (bones along X) or 'hinge' (parent direction x bone direction)


JOINT_RANGES: dict[str, JointRange] = {
    "LHipJoint": JointRange((-5, 5), (-5, 5), (-5, 5), lateral="z"),
    "LeftUpLeg": JointRange((-125, 30), (-30, 65), (-45, 45)),
    "LeftLeg": JointRange((-10, 150), (-5, 5), (-30, 30)),
    "LeftFoot": JointRange((-25, 50), (-25, 25), (-25, 25)),
    "LeftToeBase": JointRange((-40, 35), (-5, 5), (-5, 5)),
    "LowerBack": JointRange((-10, 30), (-12, 12), (-15, 15)),
    "Spine": JointRange((-10, 30), (-12, 12), (-15, 15)),
    "Spine1": JointRange((-10, 25), (-12, 12), (-15, 15)),
    "Neck": JointRange((-20, 20), (-15, 15), (-25, 25)),
    "Neck1": JointRange((-15, 15), (-15, 15), (-25, 25)),
    "Head": JointRange((-15, 15), (-10, 10), (-20, 20)),
    "LeftShoulder": JointRange((-10, 35), (-20, 20), (-15, 15), lateral="z"),
    "LeftArm": JointRange((-180, 60), (-72, 138), (-90, 90)),
    "LeftForeArm": JointRange((-40, 108), (-5, 5), (-80, 80), lateral="hinge"),
    "LeftHand": JointRange((-70, 80), (-25, 25), (-15, 15)),
    "LThumb": JointRange((-30, 30), (-20, 20), (-20, 20)),
    "LeftFingerBase": JointRange((-30, 60), (-15, 15), (-10, 10)),
    "LeftHandFinger1": JointRange((-30, 60), (-15, 15), (-10, 10)),
}

_MIRROR = torch.tensor([-1.0, 1.0, 1.0])
_SWING_MAX = math.radians(179.0)  # beyond this the swing axis is undefined


def _left_twin(name: str) -> str:
    twin = mirror_name(name)
    return twin if twin in JOINT_RANGES else name


class JointLimits:
    """Joint limits of ``skeleton``: anatomical angles <-> rotations, clamping and checks.

    Angles are (B, K, 3) radians: (flex, abduct, twist) per bone in the frames above (the root,
    which has no limit, gets the plain frame). Bones with no entry in ``JOINT_RANGES`` (nor a left
    twin) are unlimited.
    """

    def __init__(self, skeleton: Skeleton) -> None:
        self.skeleton = skeleton
        K = len(skeleton.names)
        dirs = skeleton.rest_directions()
        self.right = torch.tensor([_left_twin(n) != n for n in skeleton.names])
        self.limited = torch.tensor([_left_twin(n) in JOINT_RANGES for n in skeleton.names])
        # Right bones use their left twin's frame after mirroring: build frames from left directions.
        frames = torch.zeros(K, 3, 3)
        low, high = torch.full((K, 3), -math.pi), torch.full((K, 3), math.pi)
        for k, name in enumerate(skeleton.names):
            left = _left_twin(name)
            j = skeleton.index(left)
            spec = JOINT_RANGES.get(left, JointRange((-180, 180), (-180, 180), (-180, 180)))
            t = dirs[j]
            if spec.lateral == "hinge":
                ref = torch.linalg.cross(dirs[skeleton.parents[j]], t)
            else:
                ref = torch.tensor([1.0, 0.0, 0.0] if spec.lateral == "x" else [0.0, 0.0, 1.0])
            f = torch.nn.functional.normalize(ref - (ref @ t) * t, dim=0)
            frames[k] = torch.stack([f, torch.linalg.cross(t, f), t], dim=1)  # columns f, a, t
            if left in JOINT_RANGES:
                low[k] = torch.deg2rad(torch.tensor([spec.flex[0], spec.abduct[0], spec.twist[0]]))
                high[k] = torch.deg2rad(torch.tensor([spec.flex[1], spec.abduct[1], spec.twist[1]]))
        self.frames, self.low, self.high = frames, low, high

    def _to_left(self, rotations: torch.Tensor) -> torch.Tensor:
        m = _MIRROR.to(rotations.dtype)
        mirrored = rotations * m[:, None] * m[None, :]
        return torch.where(self.right[:, None, None], mirrored, rotations)

    def to_angles(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B, K, 3, 3) rotations -> (B, K, 3) (flex, abduct, twist) radians."""
        F = self.frames.to(rotations.dtype)
        local = F.transpose(-1, -2) @ self._to_left(rotations) @ F  # the bone's frame: t = +Z
        z = torch.tensor([0.0, 0.0, 1.0], dtype=rotations.dtype)
        d = local[..., :, 2]  # where the bone's direction goes
        axis = torch.linalg.cross(z.expand_as(d), d)
        angle = torch.atan2(axis.norm(dim=-1), d[..., 2])
        swing_vec = torch.nn.functional.normalize(axis, dim=-1) * angle[..., None]  # (x, y, 0)
        twist = roma.rotvec_to_rotmat(swing_vec).transpose(-1, -2) @ local  # about +Z only
        twist_angle = torch.atan2(twist[..., 1, 0], twist[..., 0, 0])
        return torch.stack([swing_vec[..., 0], swing_vec[..., 1], twist_angle], dim=-1)

    def from_angles(self, angles: torch.Tensor) -> torch.Tensor:
        """(B, K, 3) (flex, abduct, twist) radians -> (B, K, 3, 3) rotations."""
        F = self.frames.to(angles.dtype)
        zero = torch.zeros_like(angles[..., 0])
        swing = roma.rotvec_to_rotmat(torch.stack([angles[..., 0], angles[..., 1], zero], dim=-1))
        twist = roma.rotvec_to_rotmat(torch.stack([zero, zero, angles[..., 2]], dim=-1))
        return self._to_left(F @ swing @ twist @ F.transpose(-1, -2))

    def clamp_angles(self, angles: torch.Tensor) -> torch.Tensor:
        """Angles clamped into the boxes (the swing also to below 179 degrees)."""
        out = torch.maximum(torch.minimum(angles, self.high.to(angles.dtype)), self.low.to(angles.dtype))
        swing = out[..., :2]
        norm = swing.norm(dim=-1, keepdim=True)
        out[..., :2] = torch.where(norm > _SWING_MAX, swing * _SWING_MAX / norm.clamp(min=1e-9), swing)
        return torch.where(self.limited[:, None], out, angles)

    def clamp(self, rotations: torch.Tensor) -> torch.Tensor:
        """The nearest pose (per angle) inside the limits; unlimited bones (the root) unchanged."""
        clamped = self.from_angles(self.clamp_angles(self.to_angles(rotations)))
        return torch.where(self.limited[:, None, None], clamped, rotations)

    def excess(self, rotations: torch.Tensor) -> torch.Tensor:
        """(B, K) how far (radians) each bone lies outside its box; 0 inside."""
        angles = self.to_angles(rotations)
        over = (angles - self.high.to(angles.dtype)).clamp(min=0) + (self.low.to(angles.dtype) - angles).clamp(min=0)
        return torch.where(self.limited, over.amax(-1), torch.zeros_like(over[..., 0]))
