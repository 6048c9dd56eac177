"""`gtrs evaluate` on synthetic data: every frame once and repeatable, reports that identify their
inputs, a per-clip table, and the baselines on their own."""
import json
import subprocess
import sys

import pytest

GTRS = [sys.executable, "-m", "gtrs.cli"]
HEADER_FIELDS = {"data", "manifest_sha256", "split", "frames", "sampling", "seed", "noise_model", "camera",
                 "predictor", "checkpoint", "checkpoint_sha256", "gtrs_version", "commit", "date"}


@pytest.fixture(scope="module")
def checkpoint(tiny_data, tmp_path_factory):
    from gtrs.train.config import TrainConfig
    from gtrs.train.loop import Trainer

    out = tmp_path_factory.mktemp("run")
    Trainer(TrainConfig(data=str(tiny_data), out=str(out), epochs=1, steps_per_epoch=1, batch_size=4, val_batches=1,
                        threads=2, surface_loss_fraction=0.25)).run()
    return out / "last.safetensors"


def evaluate(*args):
    result = subprocess.run([*GTRS, "evaluate", *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def test_all_frames_covers_every_frame_once_and_repeats_exactly(tiny_data, checkpoint, tmp_path):
    for run in ("a", "b"):
        evaluate("--checkpoint", str(checkpoint), "--data", str(tiny_data), "--split", "train", "--all-frames",
                 "--batch-size", "8", "--out", str(tmp_path / run))
    a, b = (json.loads((tmp_path / r / "evaluation.json").read_text()) for r in "ab")
    manifest = json.loads((tiny_data / "manifest.json").read_text())
    frames = sum(c["frames"] for c in manifest["clips"] if c.get("split") == "train")
    assert a["examples"] == frames == a["header"]["frames"]
    assert a["metrics"] == b["metrics"] and a["per_clip"] == b["per_clip"]
    assert HEADER_FIELDS <= set(a["header"]) and a["header"]["sampling"] == "all frames in order"
    assert len(a["header"]["checkpoint_sha256"]) == 64 and a["header"]["split"] == "train"
    assert sum(c["frames"] for c in a["per_clip"]) == frames
    pa = [c["exact/pa_mpjpe"] for c in a["per_clip"]]
    assert pa == sorted(pa, reverse=True)  # worst first
    md = (tmp_path / "a" / "evaluation.md").read_text()
    assert "| manifest_sha256 |" in md and "## Per clip" in md and "## Per joint" in md


def test_baselines_run_alone_and_are_named(tiny_data, tmp_path):
    rows = {}
    for name in ("rest", "mean", "optimization"):
        result = evaluate("--baseline", name, "--data", str(tiny_data), "--batches", "1", "--batch-size", "2",
                          "--out", str(tmp_path / name))
        report = json.loads((tmp_path / name / "evaluation.json").read_text())
        assert report["checkpoint"] == f"baseline: {name}" and report["header"]["predictor"] == f"baseline: {name}"
        assert report["header"]["checkpoint"] is None
        rows[name] = report["metrics"]["exact/pa_mpjpe"]
        assert "latency" not in result.stdout
    assert rows["rest"] != rows["mean"]


def test_bad_evaluate_arguments_get_one_line(tiny_data):
    for args, message in ((["--data", str(tiny_data)], "either --checkpoint or --baseline"),
                          (["--baseline", "median", "--data", str(tiny_data)], "--baseline must be one of"),
                          (["--baseline", "rest", "--data", str(tiny_data), "--split", "nope"], "split must be one of")):
        result = subprocess.run([*GTRS, "evaluate", *args], capture_output=True, text=True, timeout=600)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_mocap_folder_is_evaluated_directly_with_every_option(checkpoint, tmp_path):
    from tests.acclaim_factory import random_amc_frames, write_clip
    from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

    (tmp_path / "clips" / "07").mkdir(parents=True)
    for clip in ("07_01", "07_02"):
        (tmp_path / "clips" / "07" / f"{clip}.bvh").write_text(bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 6, seed=1)))
    write_clip(tmp_path / "clips" / "mm", "HDM_mm_squat1Reps_001_120", random_amc_frames(frames=21, seed=4))
    result = evaluate("--checkpoint", str(checkpoint), "--mocap", str(tmp_path / "clips"), "--batch-size", "4",
                      "--all-frames", "--out", str(tmp_path / "ev"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    assert report["examples"] == 12 + 6 and report["split"] == "all"
    assert report["header"]["data"] == str((tmp_path / "clips").resolve())  # the folder given, not a temporary one
    assert sorted(c["clip"] for c in report["per_clip"]) == ["07_01", "07_02", "HDM_mm_squat1Reps_001_120"]
    assert [r["name"] for r in report["groups"]["subject"]] == ["07", "mm"]
    assert [r["name"] for r in report["groups"]["motion class"]] == ["other (not HDM05)", "squat"]
    assert "## Per motion class" in (tmp_path / "ev" / "evaluation.md").read_text()

    # --stage, --batches and --subject are honoured as with --data
    evaluate("--checkpoint", str(checkpoint), "--bvh", str(tmp_path / "clips"), "--batch-size", "3", "--batches", "2",
             "--stage", "fit", "--subject", "mm", "--out", str(tmp_path / "fit"))
    report = json.loads((tmp_path / "fit" / "evaluation.json").read_text())
    assert report["examples"] == 6 and report["header"]["predictor"] == "network + fit"
    assert report["header"]["subjects"] == ["mm"] and [c["clip"] for c in report["per_clip"]] == ["HDM_mm_squat1Reps_001_120"]


def test_sequences_report_smoothing_on_and_off(tiny_data, tmp_path):
    from importlib import resources

    shipped = resources.files("gtrs.weights") / "gtrs_cpu_coco19_anny.safetensors"  # a trained model: real jitter
    result = evaluate("--checkpoint", str(shipped), "--data", str(tiny_data), "--split", "test", "--sequences",
                      "--batches", "1", "--batch-size", "12", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "sequences.json").read_text())
    on, off = report["settings"]["on"], report["settings"]["off"]
    assert on["frames"] == off["frames"] > 0 and report["max_frames_per_clip"] == 12
    # (the test clips here are random frames, not motion, so no claim on which is smoother: see
    # tests/fit/test_sequence_fit.py for that)
    assert on["accel_error"] != off["accel_error"] and on["mpjpe"] > 0
    assert "| on |" in (tmp_path / "sequences.md").read_text()


def test_stage_fit_reports_no_torn_meshes(tiny_data, checkpoint, tmp_path):
    result = evaluate("--checkpoint", str(checkpoint), "--data", str(tiny_data), "--split", "test", "--stage", "fit",
                      "--batches", "1", "--batch-size", "4", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "evaluation.json").read_text())
    assert report["metrics"]["exact/torn_pct"] == 0.0 and report["checkpoint"]
    assert "torn meshes %" in (tmp_path / "evaluation.md").read_text()
    assert 0 < report["metrics"]["exact/angle_all"] < 90 and 0 <= report["metrics"]["noisy/angle_knee_flexion"] < 180
    assert "## Joint angles (mean absolute error, degrees" in (tmp_path / "evaluation.md").read_text()


def test_stage_lifts_runs_the_ambiguity_aware_refinement(tiny_data, checkpoint, tmp_path):
    result = evaluate("--checkpoint", str(checkpoint), "--data", str(tiny_data), "--split", "test", "--stage", "lifts",
                      "--batches", "1", "--batch-size", "4", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "evaluation.json").read_text())
    assert report["metrics"]["exact/torn_pct"] == 0.0 and report["metrics"]["exact/pa_mpjpe"] > 0
