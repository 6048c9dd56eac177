"""One person through frames: smoothing removes the jitter detector noise puts into the body."""
import numpy as np
import torch

from gtrs.fit.sequence import SmoothingConfig, fit_sequence
from gtrs.models.pretrained import load_pretrained


def test_smoothing_removes_frame_to_frame_jitter_and_keeps_one_shape(anny_body):
    model, _ = load_pretrained()
    model.eval()
    out = anny_body(anny_body.identity_rotations(1), joint_set="coco19").joints[0]
    cam = out * torch.tensor([1.0, -1.0, -1.0]) + torch.tensor([0.0, 0.0, 4.0])
    px = (cam[:, :2] / cam[:, 2:] * 1000 + 500).numpy()
    rng = np.random.default_rng(0)
    T = 24
    keypoints = np.concatenate([px[None] + rng.normal(0, 4.0, (T, 19, 2)), np.ones((T, 19, 1))], -1)
    network = lambda kp: model(kp)[0]  # noqa: E731
    jitter = {}
    for name, cfg in (("off", SmoothingConfig(enabled=False)), ("on", SmoothingConfig())):
        fit = fit_sequence(network, anny_body, keypoints, 30.0, cfg)
        joints = anny_body.regress_joints(fit.vertices, "h36m17").numpy()
        jitter[name] = np.linalg.norm(joints[2:] - 2 * joints[1:-1] + joints[:-2], axis=-1).mean()
        assert fit.rotations.shape == (T, anny_body.num_bones, 3, 3) and fit.shape.shape == (anny_body.shape_dim,)
    assert jitter["on"] < 0.5 * jitter["off"]
