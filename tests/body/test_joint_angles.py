"""Joint angles from 3D joints: exact on built skeletons, the same however the body is turned, mirrored
left for right, and with the signs a clinician expects on the real body's named poses."""
import numpy as np
import torch
from scipy.spatial.transform import Rotation

from gtrs.body.joint_angles import ANGLE_NAMES, joint_angles
from gtrs.body.joints import COCO19
from gtrs.body.poses import named_pose


def _skeleton(knee=0.0, hip=0.0, elbow=0.0, shoulder=0.0, lean=0.0) -> np.ndarray:
    """COCO-19 joints (OpenCV camera axes: x right, y down, z away; the person faces the camera) of a body
    with both legs and arms set by the given angles (degrees), the trunk leaning forward by ``lean``."""
    J = {n: i for i, n in enumerate(COCO19.names)}
    up, forward = np.array([0.0, -1.0, 0.0]), np.array([0.0, 0.0, -1.0])
    left = np.array([1.0, 0.0, 0.0])  # facing the camera, the person's left is the image's right
    lean_r = Rotation.from_rotvec(np.radians(lean) * left)  # about the left axis: forward and down
    up_t = lean_r.apply(up)
    pts = np.zeros((19, 3))
    pts[J["pelvis"]] = [0.0, 0.0, 3.0]
    pts[J["neck"]] = pts[J["pelvis"]] + 0.5 * up_t
    for side, s in (("left", 1.0), ("right", -1.0)):
        pts[J[f"{side}_hip"]] = pts[J["pelvis"]] + 0.1 * s * left
        pts[J[f"{side}_shoulder"]] = pts[J["neck"]] + 0.18 * s * left
        # a negative turn about the left axis swings a hanging limb forward (left x down = forward)
        thigh = Rotation.from_rotvec(-np.radians(hip) * left).apply(-up)
        pts[J[f"{side}_knee"]] = pts[J[f"{side}_hip"]] + 0.45 * thigh
        shin = Rotation.from_rotvec(np.radians(knee) * left).apply(thigh)  # the knee bends backwards
        pts[J[f"{side}_ankle"]] = pts[J[f"{side}_knee"]] + 0.42 * shin
        arm = Rotation.from_rotvec(-np.radians(shoulder) * left).apply(-up_t)  # raised forward
        pts[J[f"{side}_elbow"]] = pts[J[f"{side}_shoulder"]] + 0.3 * arm
        fore = Rotation.from_rotvec(-np.radians(elbow) * left).apply(arm)
        pts[J[f"{side}_wrist"]] = pts[J[f"{side}_elbow"]] + 0.25 * fore
    for i, name in ((0, "nose"), (1, "left_eye"), (2, "right_eye"), (3, "left_ear"), (4, "right_ear")):
        pts[i] = pts[J["neck"]] + 0.2 * up_t
    return pts


def test_built_skeletons_give_their_angles_exactly():
    standing = joint_angles(_skeleton())
    assert list(standing) == list(ANGLE_NAMES)
    assert all(abs(v) < 1e-9 for v in standing.values()), standing
    sitting = joint_angles(_skeleton(knee=90, hip=90, elbow=90, shoulder=90, lean=0))
    for side in ("left", "right"):
        for name, value in (("knee_flexion", 90), ("hip_flexion", 90), ("hip_abduction", 0), ("elbow_flexion", 90),
                            ("shoulder_elevation", 90)):
            assert abs(sitting[f"{side}_{name}"] - value) < 1e-9, (side, name, sitting[f"{side}_{name}"])
    leaning = joint_angles(_skeleton(hip=90, lean=30))  # thighs forward in the camera, trunk 30 degrees forward
    assert abs(leaning["trunk_lean"] - 30) < 1e-9
    assert abs(leaning["left_hip_flexion"] - 120) < 1e-9  # from the trunk: bending forward closes the hip
    behind = joint_angles(_skeleton(hip=-20, shoulder=180))
    assert abs(behind["right_hip_flexion"] + 20) < 1e-9 and abs(behind["left_shoulder_elevation"] - 180) < 1e-6


def test_abduction_is_outward_on_both_sides():
    pts = _skeleton()
    J = {n: i for i, n in enumerate(COCO19.names)}
    for side, outward in (("left", 1.0), ("right", -1.0)):
        hip = pts[J[f"{side}_hip"]]
        thigh = np.array([outward * np.sin(np.radians(25)), np.cos(np.radians(25)), 0.0])  # down and outward
        pts[J[f"{side}_knee"]] = hip + 0.45 * thigh
        pts[J[f"{side}_ankle"]] = pts[J[f"{side}_knee"]] + 0.42 * thigh
    angles = joint_angles(pts)
    assert abs(angles["left_hip_abduction"] - 25) < 1e-9 and abs(angles["right_hip_abduction"] - 25) < 1e-9
    assert abs(angles["left_hip_flexion"]) < 1e-9 and abs(angles["left_knee_flexion"]) < 1e-9


def test_turning_the_body_changes_no_angle_but_the_lean_from_the_camera():
    pts = _skeleton(knee=35, hip=50, elbow=70, shoulder=40, lean=15)
    turn = Rotation.from_rotvec([0.3, -1.1, 0.4])
    turned = turn.apply(pts - pts[17]) + pts[17]
    a, b = joint_angles(pts), joint_angles(turned)
    for name in ANGLE_NAMES[:-1]:
        assert abs(a[name] - b[name]) < 1e-8, name
    assert abs(joint_angles(turned, camera_up=turn.apply([0.0, -1.0, 0.0]))["trunk_lean"] - 15) < 1e-8
    batch = joint_angles(np.stack([pts, turned]))  # any leading shape
    assert batch["left_knee_flexion"].shape == (2,)


def test_a_mirrored_body_swaps_left_and_right():
    pts = _skeleton(knee=20, hip=40, elbow=10, shoulder=60)
    J = {n: i for i, n in enumerate(COCO19.names)}
    pts[J["left_knee"]] += [0.0, 0.0, -0.1]  # make the sides differ
    pts[J["right_elbow"]] += [0.05, 0.05, 0.0]
    mirrored = pts * [-1.0, 1.0, 1.0]
    mirrored = mirrored[COCO19.flip_permutation()]
    a, b = joint_angles(pts), joint_angles(mirrored)
    for name in ANGLE_NAMES[:-1]:
        other = name.replace("left", "@").replace("right", "left").replace("@", "right")
        assert abs(a[name] - b[other]) < 1e-8, name


def test_the_real_body_reads_its_named_poses_as_a_clinician_would(anny_body):
    to_cam = torch.tensor([1.0, -1.0, -1.0])  # anny's Y-up, facing +Z -> camera axes, facing the camera

    def angles(pose):
        out = anny_body(named_pose(pose, anny_body.bone_names)[None], joint_set="coco19")
        return joint_angles((out.joints[0] * to_cam).numpy())

    walk, squat = angles("walk"), angles("squat")
    assert 25 < walk["left_hip_flexion"] < 35 and -25 < walk["right_hip_flexion"] < -15  # forward, behind
    assert walk["left_knee_flexion"] > walk["right_knee_flexion"] > 10
    assert 80 < squat["left_hip_flexion"] < 90 and 95 < squat["right_knee_flexion"] < 110
    assert 17 < squat["trunk_lean"] < 23  # the squat pitches the hips 20 degrees forward
    assert squat["left_shoulder_elevation"] > 70 and walk["trunk_lean"] < 3
