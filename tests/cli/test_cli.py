"""The real console command, in a subprocess."""
import subprocess
import sys

import numpy as np
from PIL import Image

GTRS = [sys.executable, "-m", "gtrs.cli"]


def run(*args):
    return subprocess.run([*GTRS, *args], capture_output=True, text=True, timeout=600)


def test_demo_writes_a_picture_of_bodies(tmp_path, anny_body):  # anny_body: the cache is built once
    result = run("demo", "--body-only", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    png = tmp_path / "body_poses.png"
    assert png.is_file()
    pixels = np.asarray(Image.open(png).convert("L"))
    assert pixels.shape[0] > 300 and pixels.shape[1] > 300
    coverage = (pixels < 240).mean()
    assert 0.03 < coverage < 0.6  # bodies drawn, not a blank or a filled image


def test_bench_body_prints_throughput(anny_body):
    result = run("bench", "body", "--batch", "1", "--batch", "8", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("anny")]
    assert len(lines) == 2
    assert all(float(line.split()[3]) > 0 for line in lines)


def test_bench_train_prints_samples_per_second_and_the_output_conv_comparison(tiny_data):
    result = run("bench", "train", "--data", str(tiny_data), "--config", "cpu", "--batch", "4", "--steps", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("cpu ")]
    assert [row.split()[1] for row in rows] == ["float32", "bfloat16"]
    assert all(float(row.split("samples/s")[0].split()[-1]) > 0 for row in rows)
    assert "cpu: bfloat16 / float32 = " in result.stdout
    assert "tap-wise" in result.stdout and "torch Conv1d" in result.stdout


def test_unknown_command_fails_with_usage():
    result = run("fly")
    assert result.returncode != 0
    assert "No such command" in result.stderr


def test_data_build_prints_split_sizes_and_reports_bad_clips(tmp_path, anny_body):
    from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

    for subject in ("01", "02", "03"):
        (tmp_path / "bvh" / subject).mkdir(parents=True)
        (tmp_path / "bvh" / subject / f"{subject}_01.bvh").write_text(
            bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 12, seed=int(subject))))
    (tmp_path / "bvh" / "03" / "03_02.bvh").write_text("HIERARCHY\n")
    result = run("data", "build", "--bvh", str(tmp_path / "bvh"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "skipped 03_02" in result.stderr
    sizes = {line.split(":")[0].strip(): int(line.split(":")[1].split()[0]) for line in result.stdout.splitlines()
             if line.split(":")[0].strip() in ("train", "val", "test")}
    assert sum(sizes.values()) == 36 and set(sizes) == {"train", "val", "test"}
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_demo_reconstructs_the_shipped_samples_with_the_shipped_model(tmp_path, anny_body):
    result = run("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    sheet = np.asarray(Image.open(tmp_path / "contact_sheet.png").convert("L"))
    assert sheet.shape[0] > 1000 and (sheet < 240).mean() > 0.05
    meshes = sorted(tmp_path.glob("person_*.obj"))
    assert len(meshes) == 6  # four motion-capture poses and two photos
    import trimesh

    mesh = trimesh.load(meshes[0], process=False)
    assert mesh.vertices.shape == (anny_body.num_vertices, 3)
    assert mesh.vertices[:, 2].max() < 0  # in front of the camera (viewer axes: it looks along -z)
    assert np.ptp(mesh.vertices[:, 1]) > 1.0  # upright along +y


def test_predict_reports_bad_input_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    result = run("predict", str(bad), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "bad.json: not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_predict_refuses_a_bad_precision_or_device_in_one_line(tmp_path):
    import torch

    kp = tmp_path / "kp.npy"
    np.save(kp, np.ones((1, 19, 3)))
    result = run("predict", str(kp), "--precision", "float16", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "--precision must be one of auto, float32, bfloat16" in result.stderr
    result = run("predict-sequence", str(kp), "--device", "tpu", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "--device must be cpu, cuda or cuda:N" in result.stderr
    if not torch.cuda.is_available():
        result = run("predict", str(kp), "--device", "cuda", "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and "no CUDA GPU is available" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_bench_predict_prints_people_per_second(anny_body):
    result = run("bench", "predict", "--people", "20", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "people/s" in line]
    assert [r.split("  ")[0].strip() for r in rows] == ["JSON only, network mesh", "JSON + OBJ, network mesh",
                                                         "JSON only, fitted body", "JSON + OBJ, fitted body",
                                                         "JSON only, network mesh, ONNX Runtime",
                                                         "JSON only, network mesh, float32"]
    assert all(float(r.split("->")[1].split()[0]) > 0 for r in rows)


def test_bench_sequence_prints_frames_per_second_with_a_float32_baseline(anny_body):
    result = run("bench", "sequence", "--frames", "12", "--video-frames", "6", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "frames/s" in line]
    assert [r.split("  ")[0].strip() for r in rows][:2] == ["keypoints in", "keypoints in, float32"]
    assert all(float(r.split("->")[1].split()[0]) > 0 for r in rows)


def test_predict_sequence_writes_tracks_and_refuses_bad_options(tmp_path, anny_body):
    from tests.infer.test_sequences import walkers

    np.save(tmp_path / "walk.npy", walkers(anny_body, T=8))
    result = run("predict-sequence", str(tmp_path / "walk.npy"), "--joints", "coco19", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "2 tracks, 16 frames" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "walk_track0.bvh", "walk_track0.glb", "walk_track0_angles.csv", "walk_track0_params.npz",
        "walk_track1.bvh", "walk_track1.glb", "walk_track1_angles.csv", "walk_track1_params.npz"]
    bad = run("predict-sequence", str(tmp_path / "walk.npy"), "--formats", "gif")
    assert bad.returncode == 2 and "--formats" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("predict-sequence", str(tmp_path / "nope.npy"))
    assert missing.returncode == 2 and "nope.npy" in missing.stderr and "Traceback" not in missing.stderr
    detector = run("predict-sequence", str(tmp_path / "walk.npy"), "--pose-detector", "yolo")
    assert detector.returncode == 2 and "--pose-detector must be one of solution, topdown" in detector.stderr


def test_predict_refines_from_several_starts_with_lifts(tmp_path, anny_body):
    import json

    import torch

    rotations = anny_body.identity_rotations(1)
    rotations[:, 0] = torch.diag(torch.tensor([1.0, -1.0, -1.0]))  # upright, facing the camera (OpenCV axes)
    out = anny_body(rotations, None, torch.tensor([[0.0, 0.0, 4.0]]), joint_set="coco19")
    px = out.joints[..., :2] / out.joints[..., 2:] * 1000.0 + 500.0
    kp = tmp_path / "standing.npy"
    np.save(kp, torch.cat([px, torch.ones(1, 19, 1)], -1).numpy())
    bad = run("predict", str(kp), "--lifts", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "--lifts needs --refine" in bad.stderr and "Traceback" not in bad.stderr
    result = run("predict", str(kp), "--refine", "--lifts", "--focal", "1000", "--formats", "params", "--no-render",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    people = json.loads(next((tmp_path / "out").glob("*_people.json")).read_text())
    person = people["people"][0] if isinstance(people, dict) else people[0]
    assert person["mesh"] == "fit + refine (lifts)"
    assert person["reprojection_error_px"] < 15.0
