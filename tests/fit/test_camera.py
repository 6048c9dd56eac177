import numpy as np

from gtrs.fit.camera import fit_weak_perspective, project, reprojection_error, solve_translation


def test_translation_is_recovered_exactly_from_perfect_keypoints():
    rng = np.random.default_rng(0)
    joints = rng.normal(0, 0.3, (19, 3))
    joints -= joints[17]
    t_true = np.array([0.4, -0.2, 4.5])
    focal, c = 1200.0, np.array([640.0, 360.0])
    kp = np.concatenate([project(joints + t_true, focal, c), np.ones((19, 1))], 1)
    t = solve_translation(joints, kp, focal, c)
    np.testing.assert_allclose(t, t_true, atol=1e-9)
    assert reprojection_error(project(joints + t, focal, c), kp) < 1e-6


def test_missing_joints_are_ignored_and_perspective_beats_weak_perspective_up_close():
    rng = np.random.default_rng(1)
    joints = rng.normal(0, 0.4, (19, 3))
    t_true = np.array([0.0, 0.1, 1.8])  # close to the camera: strong perspective
    focal, c = 1000.0, np.array([500.0, 500.0])
    kp = np.concatenate([project(joints + t_true, focal, c), np.ones((19, 1))], 1)
    kp[4] = [9999.0, -9999.0, 0.0]  # a missing joint with garbage coordinates
    t = solve_translation(joints, kp, focal, c)
    np.testing.assert_allclose(t, t_true, atol=1e-9)
    s, shift = fit_weak_perspective(joints, kp)
    weak = reprojection_error(s * joints[:, :2] + shift, kp)
    full = reprojection_error(project(joints + t, focal, c), kp)
    assert full < 1e-6 < weak
