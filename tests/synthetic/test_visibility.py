"""Framing cuts, hidden limbs and hidden sides: the joints a detector would not report."""
import torch

from gtrs.synthetic.visibility import VisibilityConfig, framing_cut, sample_visibility

# An upright person in image rows (y grows downwards): head at the top, ankles at the bottom.
ROWS = torch.tensor([100, 95, 95, 100, 100, 200, 200, 300, 300, 380, 380, 420, 420, 600, 600, 780, 780, 420, 200.0])
PERSON = torch.stack([torch.linspace(400, 600, 19), ROWS], dim=-1)[None].repeat(64, 1, 1)


def test_each_cut_removes_everything_below_it_and_keeps_the_top():
    g = torch.Generator().manual_seed(0)
    for level, lost in ((0, {15, 16}), (1, {13, 14, 15, 16}), (2, {11, 12, 13, 14, 15, 16, 17, 9, 10})):
        v = framing_cut(PERSON, torch.full((64,), level), g)
        missing = set(torch.nonzero(v[0] == 0)[:, 0].tolist())
        assert lost - {9, 10} <= missing and not ({0, 5, 6} & missing), (level, missing)


def test_patterns_keep_pelvis_and_neck_consistent_and_at_least_four_joints():
    g = torch.Generator().manual_seed(1)
    cfg = VisibilityConfig(p_cut=1.0, p_limb=1.0, p_side=1.0, min_visible=4)
    v = sample_visibility(PERSON, cfg, g)
    assert (v.sum(1) >= 4).all() and (v.sum(1) < 19).all()
    torch.testing.assert_close(v[:, 17], v[:, 11] * v[:, 12])
    torch.testing.assert_close(v[:, 18], v[:, 5] * v[:, 6])
    strict = sample_visibility(PERSON, VisibilityConfig(p_side=1.0, min_visible=19), g)
    assert (strict == 1).all()  # a pattern that leaves too few joints is not applied


def test_no_pattern_means_every_joint_is_seen_and_forced_cuts_override():
    g = torch.Generator().manual_seed(2)
    assert (sample_visibility(PERSON, VisibilityConfig(), g) == 1).all()
    forced = sample_visibility(PERSON, VisibilityConfig(), g, cut_level=torch.full((64,), 1))
    assert (forced[:, 13:17] == 0).all()


def test_synthesized_examples_hide_the_same_joints_in_exact_and_noisy_input(anny_body):
    from gtrs.synthetic.synth import SynthConfig, synthesize_batch
    from gtrs.train.batches import network_inputs

    cfg = SynthConfig(visibility=VisibilityConfig(p_cut=0.5, p_limb=0.5, p_side=0.5))
    g = torch.Generator().manual_seed(3)
    batch = synthesize_batch(anny_body, torch.eye(3).repeat(16, anny_body.num_bones, 1, 1), g, cfg)
    hidden = batch["keypoints2d_conf"] == 0
    assert hidden.any()
    assert (batch["keypoints2d_noisy"][..., 2][hidden] == 0).all()
    exact = network_inputs(batch, "coco19", torch.zeros(16, dtype=torch.bool), g)
    assert (exact[..., 2][hidden] == 0).all() and (exact[..., 2][~hidden] == 1).all()
