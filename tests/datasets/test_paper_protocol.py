"""End to end on release-format fixtures: `gtrs train` on Human3.6M with SMPL, then `gtrs evaluate`
on 3DPW printing the paper's metric table; and the protocol's metric conventions."""
import subprocess
import sys

import pytest
import torch
import yaml

from gtrs.datasets.batches import SmplBodies, make_batch
from gtrs.datasets.registry import load_records
from gtrs.metrics import mpvpe
from tests.datasets.release_factory import write_release

GTRS = [sys.executable, "-m", "gtrs.cli"]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("release_e2e")
    write_release(root)
    return root


def test_train_on_human36m_then_evaluate_on_3dpw(release, tmp_path):
    config = {"data": str(release), "smpl_dir": str(release / "smpl"), "datasets": ["human36m"],
              "val_dataset": "pw3d", "out": str(tmp_path / "run"), "model": "cpu", "joint_set": "coco19",
              "stage": "full", "epochs": 1, "steps_per_epoch": 3, "batch_size": 4, "val_batches": 1,
              "checkpoint_every": 10, "surface_loss_fraction": 0.25}
    path = tmp_path / "h36m.yaml"
    path.write_text(yaml.safe_dump(config))
    train = subprocess.run([*GTRS, "train", str(path)], capture_output=True, text=True, timeout=600)
    assert train.returncode == 0, train.stderr
    checkpoint = tmp_path / "run" / "last.safetensors"
    assert checkpoint.is_file()
    evaluate = subprocess.run([*GTRS, "evaluate", "--checkpoint", str(checkpoint), "--data", str(release),
                               "--dataset", "pw3d", "--smpl-dir", str(release / "smpl"), "--out", str(tmp_path / "ev")],
                              capture_output=True, text=True, timeout=600)
    assert evaluate.returncode == 0, evaluate.stderr
    out = evaluate.stdout
    assert "10 examples" in out and "| ground-truth 2D |" in out and "| detected 2D |" in out
    assert "GTRS paper, detected 2D: MPJPE 88.5" in out
    assert (tmp_path / "ev" / "evaluation.json").is_file()


def test_evaluate_names_the_missing_release_file(release, tmp_path):
    result = subprocess.run([*GTRS, "evaluate", "--checkpoint", "nowhere.safetensors", "--data", str(tmp_path),
                             "--dataset", "human36m", "--smpl-dir", str(release / "smpl")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 2
    assert "nowhere.safetensors" in result.stderr and "Traceback" not in result.stderr


def test_train_names_a_missing_dataset_folder(release, tmp_path):
    config = {"data": str(tmp_path / "empty"), "smpl_dir": str(release / "smpl"), "datasets": ["muco"],
              "val_dataset": "pw3d", "out": str(tmp_path / "run")}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run([*GTRS, "train", str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2
    assert "MuCo-3DHP.json not found" in result.stderr and "Traceback" not in result.stderr


def test_mpvpe_is_centred_on_the_smpl_pelvis(release):
    """A prediction equal to the GT mesh up to a shift has MPVPE 0 under the paper's centring."""
    bodies = SmplBodies(release / "smpl")
    batch = make_batch(load_records("pw3d", release, "test")[:3], bodies)
    gt = batch["vertices"]
    shifted = gt + torch.tensor([0.1, -0.2, 0.3])
    error = mpvpe(shifted, gt, bodies.neutral.smpl_pelvis(shifted), batch["vertices_smpl_root"])
    assert error.abs().max() < 1e-3
