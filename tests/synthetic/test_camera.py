import math

import torch

from gtrs.synthetic.camera import CameraSampling, look_at, project, rotation_about, sample_cameras


def test_look_at_frames_follow_opencv():
    eye = torch.tensor([[0.0, 0.0, 5.0]])
    R, t = look_at(eye, torch.zeros(1, 3))
    # viewer on +Z looking at the origin: world +X is image right, world +Y is image up (camera -Y).
    torch.testing.assert_close(R[0], torch.diag(torch.tensor([1.0, -1.0, -1.0])))
    p_cam = torch.tensor([[[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]]) @ R.transpose(1, 2) + t[:, None]
    torch.testing.assert_close(p_cam[0, 0], torch.tensor([0.0, 0.0, 5.0]))
    px = project(p_cam, torch.tensor([1000.0]), torch.tensor([[500.0, 400.0]]))
    torch.testing.assert_close(px[0, 0], torch.tensor([500.0, 400.0]))
    torch.testing.assert_close(px[0, 1], torch.tensor([700.0, 200.0]))  # right and up


def test_rotation_about_matches_a_quarter_turn():
    R = rotation_about(torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([math.pi / 2]))
    torch.testing.assert_close(R[0] @ torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))


def test_sampled_cameras_see_the_person_at_the_requested_size():
    cfg = CameraSampling()
    g = torch.Generator().manual_seed(0)
    pelvis = torch.randn(256, 3, generator=g)
    cams = sample_cameras(pelvis, cfg, g)
    torch.testing.assert_close(cams.R @ cams.R.transpose(1, 2), torch.eye(3).expand(256, 3, 3), atol=1e-5, rtol=0)
    p_cam = (cams.R @ pelvis[..., None])[..., 0] + cams.t
    assert (p_cam[:, 2] > 0).all()
    px = project(p_cam[:, None], cams.focal, cams.principal)[:, 0]
    torch.testing.assert_close(px, cams.principal, atol=1e-3, rtol=0)  # pelvis at the principal point
    # a body-height segment centred on the pelvis spans about the sampled fill of the image
    half = torch.tensor([0.0, cfg.body_height / 2, 0.0])
    ends = torch.stack([pelvis - half, pelvis + half], 1) @ cams.R.transpose(1, 2) + cams.t[:, None]
    px_ends = project(ends, cams.focal, cams.principal)
    span = (px_ends[:, 1] - px_ends[:, 0]).norm(dim=-1) / cfg.image_size
    assert abs(span.median().item() - sum(cfg.fill_range) / 2) < 0.1
    assert span.min() > 0.3 and span.max() < 1.1
