import math

import torch

from gtrs.body.joints import COCO19
from gtrs.synthetic.noise import COCO_OKS_SIGMAS, CocoNoiseConfig, coco_detector_noise, gaussian_joint_noise, oks_radius, \
    person_scale


def people(n=4000, seed=0):
    """COCO-19-like 2D layouts: random boxes of points, 150-450 px tall."""
    g = torch.Generator().manual_seed(seed)
    size = 150 + 300 * torch.rand(n, 1, 1, generator=g)
    return 300 + size * torch.rand(n, 19, 2, generator=g), g


def test_gaussian_noise_mean_jitter_matches_sigma():
    kp, g = people()
    sigma = torch.full((19,), 0.02)
    out = gaussian_joint_noise(kp, sigma, 1.0, g)
    d = (out[..., :2] - kp).norm(dim=-1) / person_scale(kp)[:, None]
    expected = 0.02 * math.sqrt(math.pi / 2)  # mean of a 2D Gaussian's radius
    assert abs(d.mean().item() / expected - 1) < 0.10
    assert (out[..., 2] == 1).all()


def test_gaussian_noise_probability_leaves_other_joints_exact():
    kp, g = people()
    out = gaussian_joint_noise(kp, torch.full((19,), 0.05), 0.3, g)
    moved = ((out[..., :2] - kp).norm(dim=-1) > 0).float().mean()
    assert abs(moved.item() - 0.3) < 0.03


def test_coco_good_noise_has_the_configured_median_oks_radius():
    kp, g = people()
    cfg = CocoNoiseConfig(p_jitter=0, p_miss=0, p_inversion=0, p_swap=0, p_missing=0)
    out = coco_detector_noise(kp, COCO19.flip_permutation(), cfg, g)
    sigma = torch.tensor(COCO_OKS_SIGMAS)
    r = oks_radius(cfg.good_oks, sigma[None], person_scale(kp[:, :17])[:, None])
    ratio = ((out[:, :17, :2] - kp[:, :17]).norm(dim=-1) / r).median()
    assert abs(ratio.item() - 1) < 0.10


def test_coco_error_kinds_occur_at_their_rates_and_sizes():
    kp, g = people()
    cfg = CocoNoiseConfig(p_jitter=0.2, p_miss=0.1, p_inversion=0.0, p_swap=0.0, p_missing=0.05)
    out = coco_detector_noise(kp, COCO19.flip_permutation(), cfg, g)
    sigma = torch.tensor(COCO_OKS_SIGMAS)[None]
    scale = person_scale(kp[:, :17])[:, None]
    d = (out[:, :17, :2] - kp[:, :17]).norm(dim=-1)
    present = out[:, :17, 2] > 0
    assert abs((~present).float().mean().item() - 0.05) < 0.01
    beyond_half = (d > oks_radius(0.5, sigma, scale))[present].float().mean()
    # every 'miss' leaves the OKS 0.5 ring, plus the tail of the 'good' Gaussian (Rayleigh, median r_good)
    ratio = oks_radius(0.5, sigma[:, :1], torch.ones(1)) / oks_radius(cfg.good_oks, sigma[:, :1], torch.ones(1))
    expected = 0.1 + 0.7 * math.exp(-math.log(2) * ratio.item() ** 2)
    assert abs(beyond_half.item() - expected) < 0.01
    # pelvis and neck follow the noisy hips and shoulders
    both = (out[:, 11, 2] > 0) & (out[:, 12, 2] > 0)
    torch.testing.assert_close(out[both, 17, :2], 0.5 * (out[both, 11, :2] + out[both, 12, :2]))


def test_inversion_swaps_left_and_right_and_truncation_zeroes_confidence():
    kp, g = people(500)
    cfg = CocoNoiseConfig(p_jitter=0, p_miss=0, p_inversion=1.0, p_swap=0, p_missing=0, good_oks=0.999)
    out = coco_detector_noise(kp, COCO19.flip_permutation(), cfg, g)
    perm = COCO19.flip_permutation()[1:17]
    to_mirror = (out[:, 1:17, :2] - kp[:, perm]).norm(dim=-1)
    to_own = (out[:, 1:17, :2] - kp[:, 1:17]).norm(dim=-1)
    assert (to_mirror < to_own).float().mean() > 0.95
    shifted = kp + torch.tensor([900.0, 0.0])  # the right part of every body leaves a 1000 px image
    out = coco_detector_noise(shifted, COCO19.flip_permutation(), CocoNoiseConfig(p_missing=0), g, image_size=1000)
    outside = (shifted[:, :17, 0] >= 1000)
    assert (out[:, :17, 2][outside] == 0).all() and (out[:, :17, :2][outside] == 0).all()
