"""Every command meets bad files and values with one `error:` line and exit code 2."""
import subprocess
import sys


def gtrs(*args):
    return subprocess.run([sys.executable, "-m", "gtrs.cli", *args], capture_output=True, text=True, timeout=600)


def test_bad_checkpoints_and_data_in_any_command(tmp_path):
    missing = str(tmp_path / "missing.safetensors")
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x00\x01not a checkpoint" * 10)
    cases = [
        (["release", "--checkpoint", missing, "--out", str(tmp_path / "r.safetensors")], "not found"),
        (["release", "--checkpoint", str(garbage), "--out", str(tmp_path / "r.safetensors")], "not a readable"),
        (["export-onnx", "--checkpoint", str(garbage), "--out", str(tmp_path / "m.onnx")], "not a readable"),
        (["bench", "infer", "--checkpoint", missing], "not found"),
        (["evaluate", "--checkpoint", missing, "--data", str(tmp_path)], "not found"),
        (["evaluate", "--checkpoint", str(garbage), "--data", str(tmp_path)], "not a readable"),
        (["train", str(tmp_path / "nope.yaml")], "not found"),
        (["data", "fidelity", "--bvh", str(tmp_path / "nowhere")], "is not a folder"),
        (["data", "fidelity", "--mocap", str(tmp_path)], "no .bvh or .amc files"),
    ]
    for args, message in cases:
        result = gtrs(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and message in errors[0], (args, result.stderr)


def test_duplicate_clip_names_are_refused_in_one_line(tmp_path):
    from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

    for subject in ("01", "02"):
        (tmp_path / "bvh" / subject).mkdir(parents=True)
        (tmp_path / "bvh" / subject / "walk.bvh").write_text(bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 3)))
    result = gtrs("data", "build", "--bvh", str(tmp_path / "bvh"), "--out", str(tmp_path / "data"))
    assert result.returncode == 2 and "clip names must be unique" in result.stderr and "Traceback" not in result.stderr
