import torch

from gtrs.baselines.optimization import FitConfig, fit_keypoints
from gtrs.body.poses import named_pose
from gtrs.synthetic.camera import project


def test_fitting_recovers_a_pose_seen_from_the_front(anny_body):
    """A walking body 3 m in front of a camera: the fit reprojects within a few pixels and its
    root-relative joints land close to the truth."""
    rotations = named_pose("walk", anny_body.bone_names)[None]
    rotations[0, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0]))  # facing the camera
    truth = anny_body(rotations, translation=torch.tensor([[0.1, 0.2, 3.0]]), joint_set="coco19")
    focal, c = torch.tensor([1000.0]), torch.tensor([[500.0, 500.0]])
    kp = torch.cat([project(truth.joints, focal, c), torch.ones(1, 19, 1)], -1)
    fit = fit_keypoints(anny_body, kp, focal, c, FitConfig(iterations=150))
    assert fit["reprojection_px"][0] < 8.0
    rel = lambda j: j - j[:, 17:18]  # noqa: E731  (pelvis-relative)
    err = (rel(fit["joints"]) - rel(truth.joints)).norm(dim=-1).mean()
    assert err < 0.06, err  # metres (the starting rest pose is ~0.08 off); depth stays ambiguous
