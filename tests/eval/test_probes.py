"""`gtrs evaluate --probes`: posture labels from geometry, and the probe report end to end on data
the test makes (a probe clip held out, a tiny trained checkpoint, a COCO annotation file)."""
import json
import subprocess
import sys

import torch

from gtrs.body.poses import named_pose
from gtrs.body.skeleton import Skeleton
from gtrs.eval.probes import AMBIGUITY_GROUPS, VISIBILITY_PROBES, posture_label, towards_camera_label


def test_posture_labels_follow_the_geometry(anny_body):
    skeleton = Skeleton.from_body(anny_body)
    poses = torch.stack([named_pose(name, anny_body.bone_names) for name in ("rest", "walk", "squat")])
    bent = named_pose("rest", anny_body.bone_names).clone()
    bent[0] = torch.tensor([[1.0, 0, 0], [0, 0.5, -0.866], [0, 0.866, 0.5]])  # the whole body tipped 60 deg forward
    labels = posture_label(skeleton, torch.cat([poses, bent[None]]))
    assert labels == ["upright", "other", "sit_or_squat", "bend_forward"]


def test_probe_report_covers_postures_visibility_and_photos(tmp_path, anny_body):
    from gtrs.synthetic.build import build_dataset
    from gtrs.train.config import TrainConfig
    from gtrs.train.loop import Trainer
    from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

    for subject in ("01", "02", "03"):
        (tmp_path / "bvh" / subject).mkdir(parents=True)
        for clip in ("01", "02"):
            (tmp_path / "bvh" / subject / f"{subject}_{clip}.bvh").write_text(
                bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 12, seed=int(subject + clip), degrees=30)))
    build_dataset(tmp_path / "bvh", tmp_path / "data", show_progress=False, holdout={"01_02": "probe"})
    cfg = TrainConfig(data=str(tmp_path / "data"), out=str(tmp_path / "run"), epochs=1, steps_per_epoch=1,
                      batch_size=4, val_batches=1, threads=2, surface_loss_fraction=0.25)
    Trainer(cfg).run()
    person = [300, 100, 2, 310, 95, 2, 290, 95, 2, 320, 100, 2, 280, 100, 2, 340, 150, 2, 260, 150, 2, 350, 210, 2,
              250, 210, 2, 355, 260, 2, 245, 260, 2, 325, 270, 2, 275, 270, 2, 330, 360, 2, 270, 360, 2, 335, 450, 2,
              265, 450, 2]
    (tmp_path / "photos.json").write_text(json.dumps({
        "images": [{"id": 1, "width": 600, "height": 500}],
        "annotations": [{"image_id": 1, "category_id": 1, "num_keypoints": 17, "keypoints": person}]}))
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "evaluate", "--probes", "--checkpoint",
                             str(tmp_path / "run" / "last.safetensors"), "--data", str(tmp_path / "data"),
                             "--photos", str(tmp_path / "photos.json"), "--batches", "1", "--batch-size", "4",
                             "--out", str(tmp_path / "probes")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "probes" / "probes.json").read_text())
    assert report["postures"]["all"]["examples"] == 12  # every frame of the held-out clip, once
    assert set(report["visibility"]) == set(VISIBILITY_PROBES)
    vis = report["visibility"]
    assert vis["cut_chest"]["exact/visible_joints"] < vis["cut_hips"]["exact/visible_joints"] \
        < vis["cut_knees"]["exact/visible_joints"] < vis["full_view"]["exact/visible_joints"] == 19
    for probe in vis.values():
        assert 0 <= probe["noisy/torn_pct"] <= 100 and probe["exact/mpjpe"] > 0
    assert report["photos"]["whole"]["people"] == 1 and report["photos"]["upper_body"]["people"] == 20
    assert "| cut_hips |" in (tmp_path / "probes" / "probes.md").read_text()
    ambiguity = report["ambiguity"]
    assert set(ambiguity) <= {"all", *AMBIGUITY_GROUPS} and ambiguity["all"]["examples"] >= 1
    assert ambiguity["all"]["examples"] == sum(m["examples"] for k, m in ambiguity.items() if k != "all")
    assert "## ambiguity" in (tmp_path / "probes" / "probes.md").read_text()


def test_towards_camera_labels_follow_the_line_of_sight():
    """A body 4 m in front of the camera (OpenCV axes): a thigh along the line of sight is towards the
    camera, one across it is not; the trunk wins over a thigh; 40 degrees is the border."""
    import math

    def body(thigh_direction, trunk_direction=(0.0, -1.0, 0.0)):
        j = torch.zeros(19, 3)
        j[:, 2] = 4.0
        j[17] = torch.tensor([0.0, 0.0, 4.0])  # pelvis
        j[18] = j[17] + 0.5 * torch.tensor(trunk_direction)  # neck
        j[11], j[12] = j[17] + torch.tensor([0.1, 0, 0]), j[17] - torch.tensor([0.1, 0, 0])  # hips
        j[13], j[14] = j[11] + 0.45 * torch.tensor(thigh_direction), j[12] + torch.tensor([0.0, 0.45, 0.0])
        j[15], j[16] = j[13] + torch.tensor([0.0, 0.45, 0.0]), j[14] + torch.tensor([0.0, 0.45, 0.0])
        return j

    def tilted(degrees):  # a unit vector this many degrees from the z axis, in the x-z plane
        return (math.sin(math.radians(degrees)), 0.0, -math.cos(math.radians(degrees)))

    joints = torch.stack([body((0.0, 0.0, -1.0)), body((0.0, 1.0, 0.0)), body((0.0, 0.0, -1.0), (0.0, 0.0, -1.0)),
                          body(tilted(35)), body(tilted(50))])
    assert towards_camera_label(joints) == ["thigh_towards_camera", "no_segment_towards_camera", "trunk_towards_camera",
                                            "thigh_towards_camera", "no_segment_towards_camera"]


def test_missing_photos_file_is_reported_before_the_probes_run(tmp_path):
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "evaluate", "--probes", "--checkpoint",
                             str(tmp_path / "model.safetensors"), "--data", str(tmp_path / "data"),
                             "--photos", str(tmp_path / "nowhere.json")], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "nowhere.json: no such file" in result.stderr and "Traceback" not in result.stderr


def test_the_posture_probe_gains_the_test_actors_hdm05_clips_by_motion_class(tmp_path, anny_body):
    from importlib import resources

    from gtrs.synthetic.build import build_dataset
    from gtrs.eval.probes import ProbeRunner
    from tests.acclaim_factory import random_amc_frames, write_clip
    from tests.bvh_factory import MB, MB_END_SITES, bvh_text, random_frames

    for subject in ("01", "08"):
        (tmp_path / "clips" / subject).mkdir(parents=True)
        for clip in ("01", "02"):
            (tmp_path / "clips" / subject / f"{subject}_{clip}.bvh").write_text(
                bvh_text(MB, MB_END_SITES, random_frames(MB, 5, seed=int(subject + clip), degrees=20)))
    write_clip(tmp_path / "clips" / "mm", "HDM_mm_squat1Reps_001_120", random_amc_frames(frames=17, seed=1))
    write_clip(tmp_path / "clips" / "mm", "HDM_mm_kickLFront1Reps_002_120", random_amc_frames(frames=9, seed=2))
    build_dataset(tmp_path / "clips", tmp_path / "data", show_progress=False, holdout={"01_02": "probe"})
    shipped = resources.files("gtrs.weights") / "gtrs_cpu_coco19_anny.safetensors"
    postures = ProbeRunner(str(shipped), tmp_path / "data").postures(batch_size=4, show_progress=False)
    assert postures["all"]["examples"] == 5  # the held-out CMU clip only, as before
    assert postures["hdm05_squat"]["examples"] == 5 and postures["hdm05_kick"]["examples"] == 3
    assert list(postures)[0] == "all" and list(postures)[-2:] == ["hdm05_kick", "hdm05_squat"]


def test_the_shape_probe_reports_rest_pose_error_and_height_per_body_kind(tiny_data, tmp_path):
    from importlib import resources

    from gtrs.eval.shape_probe import BODY_KINDS

    shipped = resources.files("gtrs.weights") / "gtrs_cpu_coco19_anny.safetensors"
    result = subprocess.run([sys.executable, "-m", "gtrs.cli", "evaluate", "--shape", "--checkpoint", str(shipped),
                             "--data", str(tiny_data), "--batch-size", "2", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "shape_probe.json").read_text())
    kinds = report["kinds"]
    assert set(kinds) == set(BODY_KINDS) | {"all"}
    assert kinds["child"]["true_height_cm"] < kinds["short"]["true_height_cm"] < kinds["tall"]["true_height_cm"]
    for m in kinds.values():
        assert m["exact/rest_mpvpe_mm"] > 0 and m["noisy/height_abs_err_cm"] >= abs(m["noisy/height_signed_err_cm"]) - 1e-9
    assert (tmp_path / "shape_probe.png").stat().st_size > 10_000 and "| child |" in (tmp_path / "shape_probe.md").read_text()
