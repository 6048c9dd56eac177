import json

import numpy as np
import pytest
import torch

from gtrs.synthetic.build import build_dataset, load_split_rotations, split_subjects
from gtrs.synthetic.dataset import SyntheticPoseDataset
from gtrs.synthetic.synth import sample_phenotypes, synthesize_batch
from tests.bvh_factory import DAZ, DAZ_END_SITES, MB, MB_END_SITES, bvh_text, random_frames


@pytest.fixture(scope="module")
def mocap_dir(tmp_path_factory):
    """Five subjects of tiny clips (both skeleton families) and one malformed clip."""
    root = tmp_path_factory.mktemp("mocap")
    for s, subject in enumerate(("01", "02", "03", "04", "05")):
        (root / subject).mkdir()
        joints, ends = (DAZ, DAZ_END_SITES) if s % 2 == 0 else (MB, MB_END_SITES)
        for c in range(2):
            frames = random_frames(joints, 10 + 5 * s, seed=10 * s + c, degrees=25)
            (root / subject / f"{subject}_{c:02d}.bvh").write_text(bvh_text(joints, ends, frames))
    (root / "05" / "05_99.bvh").write_text("HIERARCHY\nROOT hip\n{\n  OFFSET 0 0\n")
    return root


def test_build_splits_by_subject_reports_bad_clips_and_resumes(mocap_dir, tmp_path, anny_body):
    out = tmp_path / "data"
    result = build_dataset(mocap_dir, out, seed=3, show_progress=False)
    assert list(result.skipped) == ["05_99"] and "line 4" in result.skipped["05_99"]
    manifest = json.loads((out / "manifest.json").read_text())
    ok = [c for c in manifest["clips"] if c["status"] == "ok"]
    assert len(ok) == 10
    for subject in ("01", "02", "03", "04", "05"):
        assert len({c["split"] for c in ok if c["subject"] == subject}) == 1  # whole subjects only
    assert sum(result.split_frames.values()) == sum(c["frames"] for c in ok)
    assert all(result.split_subjects[s] for s in ("train", "val", "test"))
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "poses").iterdir()}
    again = build_dataset(mocap_dir, out, seed=3, show_progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "poses").iterdir()} == stamps  # nothing redone
    assert again.split_subjects == result.split_subjects
    rotations = load_split_rotations(out, "train")
    assert rotations.shape[1:] == (anny_body.num_bones, 3, 3)
    torch.testing.assert_close(rotations @ rotations.transpose(-1, -2), torch.eye(3).expand_as(rotations),
                               atol=1e-5, rtol=0)


def test_split_is_deterministic_and_fills_shares():
    frames = {f"{i:02d}": 100 + 10 * i for i in range(20)}
    a, b = split_subjects(frames, seed=1, named={}), split_subjects(frames, seed=1, named={})
    assert a == b and a != split_subjects(frames, seed=2, named={})
    total = sum(frames.values())
    for split in ("val", "test"):
        share = sum(f for s, f in frames.items() if a[s] == split) / total
        assert 0.1 <= share < 0.2


def test_missing_inputs_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        build_dataset(tmp_path / "none", tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="no .bvh or .amc files"):
        build_dataset(tmp_path, tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="gtrs data build"):
        load_split_rotations(tmp_path, "train")


def test_synthesized_examples_are_consistent(anny_body):
    g = torch.Generator().manual_seed(0)
    rotations = anny_body.identity_rotations(64)
    batch = synthesize_batch(anny_body, rotations, g)
    assert batch["keypoints2d"].shape == (64, 19, 2) and batch["keypoints2d_noisy"].shape == (64, 19, 3)
    assert batch["vertices"].shape == (64, anny_body.num_vertices, 3)
    torch.testing.assert_close(batch["joints3d_h36m"][:, 0], torch.zeros(64, 3))  # root-relative
    torch.testing.assert_close(anny_body.regress_joints(batch["vertices"], "coco19"), batch["joints3d"],
                               atol=1e-5, rtol=0)
    # 3D targets and 2D keypoints agree: projecting the camera-frame joints gives the keypoints
    from gtrs.synthetic.camera import project

    root = batch["root_cam"][:, None]
    torch.testing.assert_close(project(batch["joints3d"] + root, batch["focal"], batch["principal"]), batch["keypoints2d"],
                               atol=1e-2, rtol=0)
    assert ((batch["vertices"] + root)[..., 2] > 0).all()  # the whole body is in front of the camera
    assert 0.3 < batch["flipped"].float().mean() < 0.7
    kp = batch["keypoints2d"]
    assert ((kp > 0) & (kp < 1000)).float().mean() > 0.95
    span = (kp.amax(1) - kp.amin(1)).prod(-1).sqrt()[:, None]  # person size, pixels
    relative = ((batch["keypoints2d_noisy"][..., :2] - kp).norm(dim=-1) / span)[batch["keypoints2d_noisy"][..., 2] > 0]
    assert 0.005 < relative.median() < 0.08


def test_phenotypes_are_adults_unless_children_are_asked():
    g = torch.Generator().manual_seed(0)
    adults, kids = sample_phenotypes(5000, g), sample_phenotypes(5000, g, children=True)
    assert adults[:, 1].min() >= 0.6 and kids[:, 1].min() < 0.4
    assert ((adults >= 0) & (adults <= 1)).all()
    assert abs(adults[:, 2:].mean().item() - 0.5) < 0.02 and adults[:, 2:].std() < 0.26  # Beta(2, 2): sd 0.224


def test_mixed_bodies_are_mostly_adults_with_the_whole_range_in_them():
    from gtrs.body.anny import ADULT_AGE_RANGE
    from gtrs.synthetic.synth import MIXED_ADULT_SHARE

    g = torch.Generator().manual_seed(1)
    mixed = sample_phenotypes(20000, g, bodies="mixed")
    young = (mixed[:, 1] < ADULT_AGE_RANGE[0]).float().mean().item()
    # children come only from the 'every' share, 30% of which is young
    assert abs(young - (1 - MIXED_ADULT_SHARE) * 0.3) < 0.015
    assert mixed[:, 2:].min() < 0.01 and mixed[:, 2:].max() > 0.99  # extremes the Beta(2, 2) adults rarely reach
    assert ((mixed >= 0) & (mixed <= 1)).all()


def test_dataset_streams_reproducible_batches(mocap_dir, tmp_path, anny_body):
    out = tmp_path / "data"
    build_dataset(mocap_dir, out, seed=3, show_progress=False)
    ds = SyntheticPoseDataset(out, "train", anny_body, batch_size=8, batches_per_epoch=2, seed=7)
    first = [b["keypoints2d"] for b in ds]
    second = [b["keypoints2d"] for b in ds]
    assert len(first) == 2 and first[0].shape == (8, 19, 2)
    torch.testing.assert_close(first, second)
    assert np.isfinite(first[1].numpy()).all()


def test_held_out_clips_form_the_probe_split_without_changing_the_subject_split(mocap_dir, tmp_path, anny_body):
    plain = build_dataset(mocap_dir, tmp_path / "plain", seed=3, show_progress=False, holdout={})
    held = build_dataset(mocap_dir, tmp_path / "held", seed=3, show_progress=False, holdout={"03_01": "probe clip"})
    assert held.split_subjects == plain.split_subjects
    assert held.split_frames["probe"] == 20 and plain.split_frames["probe"] == 0  # 03_01: 20 frames
    assert sum(held.split_frames.values()) == sum(plain.split_frames.values())
    assert load_split_rotations(tmp_path / "held", "probe").shape[0] == 20
    with pytest.raises(ValueError, match="split 'probe' has no clips"):
        load_split_rotations(tmp_path / "plain", "probe")


def test_the_packaged_posture_probe_names_real_cmu_clips():
    from gtrs.synthetic.build import probe_clips

    clips = probe_clips()
    assert {"13_01", "13_30", "13_31", "01_08"} == set(clips)
    assert all(isinstance(text, str) and text for text in clips.values())


def test_named_subjects_fix_the_split_and_other_folders_keep_the_seeded_one():
    frames = {"01": 100, "02": 50, "08": 30, "10": 30, "mm": 60, "bd": 80}
    named = split_subjects(frames, seed=0)
    assert named == {"01": "train", "02": "test", "08": "val", "10": "val", "mm": "test", "bd": "train"}
    others = {"a": 100, "b": 100, "c": 100, "02": 100}  # names only a test subject: the seeded split
    assert split_subjects(others, seed=5) == split_subjects(others, seed=5, named={})


def test_bvh_and_amc_clips_build_together_at_the_training_rate(tmp_path, anny_body):
    from tests.acclaim_factory import random_amc_frames, write_clip

    root = tmp_path / "mocap"
    (root / "cmu" / "07").mkdir(parents=True)
    (root / "cmu" / "07" / "07_01.bvh").write_text(bvh_text(MB, MB_END_SITES, random_frames(MB, 12, seed=1, degrees=20)))
    write_clip(root / "hdm05" / "bd", "HDM_bd_squat1Reps_001_120", random_amc_frames(frames=41, seed=2))
    write_clip(root / "hdm05" / "bd", "HDM_bd_hop_002", random_amc_frames(frames=8, seed=3))  # no rate: skipped
    result = build_dataset(root, tmp_path / "data", seed=0, show_progress=False)
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text())
    clips = {c["clip"]: c for c in manifest["clips"]}
    assert clips["HDM_bd_squat1Reps_001_120"]["frames"] == 11  # 41 frames at 120 fps = 11 at 30
    assert clips["HDM_bd_squat1Reps_001_120"]["skeleton"] == "cmu_acclaim"
    assert clips["HDM_bd_squat1Reps_001_120"]["subject"] == "bd" and clips["07_01"]["subject"] == "07"
    assert "--amc-fps" in result.skipped["HDM_bd_hop_002"]
    with np.load(tmp_path / "data" / "poses" / "HDM_bd_squat1Reps_001_120.npz") as data:
        assert float(data["fps"]) == 30.0 and data["quaternions"].shape[0] == 11
    with_rate = build_dataset(root, tmp_path / "data2", seed=0, show_progress=False, amc_fps=60)
    assert not with_rate.skipped
