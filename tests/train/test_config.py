"""Training configs: the packaged ones load by name, bad ones are reported clearly."""
import pytest

from gtrs.train.config import TrainConfig, packaged_configs


def test_packaged_configs_load_by_name():
    assert {"cpu_pam", "cpu_full", "paper", "gtrs_h36m", "gtrs_3dpw", "pam_h36m", "pam_3dpw"} <= set(packaged_configs())
    for name in packaged_configs():
        cfg = TrainConfig.from_yaml(name)
        assert cfg.out.startswith("runs/")
    cfg = TrainConfig.from_yaml("gtrs_3dpw", data="/data/paper")
    assert cfg.datasets == ("human36m", "coco", "muco") and cfg.val_dataset == "pw3d" and cfg.data == "/data/paper"


def test_unknown_config_lists_the_packaged_ones(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope not found .*packaged: .*gtrs_3dpw"):
        TrainConfig.from_yaml("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: x\nout: y\nlearning_rate: 1\n")
    with pytest.raises(ValueError, match=r"bad.yaml, line 3: unknown fields \['learning_rate'\]"):
        TrainConfig.from_yaml(bad)
    paper = tmp_path / "p.yaml"
    paper.write_text("data: x\nout: y\ndatasets: [human36m]\n")
    with pytest.raises(ValueError, match="needs val_dataset"):
        TrainConfig.from_yaml(paper)
    mixing = tmp_path / "m.yaml"
    mixing.write_text("data: x\nout: y\npart_mixing: 1.5\n")
    with pytest.raises(ValueError, match=r"part_mixing must lie in \[0, 1\], got 1.5"):
        TrainConfig.from_yaml(mixing)
    with pytest.raises(ValueError, match=r"best_metric must be one of .*'mean/pa_mpjpe'.*got 'mean/pa'"):
        TrainConfig(data="x", out="y", best_metric="mean/pa")
    with pytest.raises(ValueError, match=r"in stage 'pam', got 'noisy/mpvpe'"):  # the PAM stage has no mesh
        TrainConfig(data="x", out="y", stage="pam", best_metric="noisy/mpvpe")


def test_selection_score_reads_one_metric_or_averages_exact_and_noisy():
    from gtrs.train.loop import selection_score

    metrics = {"exact/pa_mpjpe": 40.0, "noisy/pa_mpjpe": 70.0, "exact/mpvpe": 90.0, "noisy/mpvpe": 120.0}
    assert selection_score(metrics, "noisy/pa_mpjpe") == 70.0
    assert selection_score(metrics, "exact/mpvpe") == 90.0
    assert selection_score(metrics, "mean/pa_mpjpe") == 55.0
    assert selection_score(metrics, "mean/mpvpe") == 105.0


def test_new_data_fields_are_checked():
    for field, value, message in (("generated_poses", 1.2, r"generated_poses must lie in \[0, 1\]"),
                                  ("framing_cut", -0.1, r"framing_cut must lie in \[0, 1\]"),
                                  ("camera", "fisheye", "camera must be 'default' or 'wide'"),
                                  ("precision", "fp8", "precision must be 'auto', 'float32' or 'bfloat16'"),
                                  ("device", "tpu", "device must be 'cpu' or 'cuda'")):
        with pytest.raises(ValueError, match=message):
            TrainConfig(data="x", out="y", **{field: value})


def test_precision_auto_follows_the_cpu_and_explicit_choices_are_kept():
    import torch

    from gtrs.models.precision import cpu_has_bf16, resolve_precision

    assert resolve_precision("float32") == torch.float32
    assert resolve_precision("bfloat16") == torch.bfloat16
    assert resolve_precision("auto") == (torch.bfloat16 if cpu_has_bf16() else torch.float32)
    # on a GPU, 'auto' asks the GPU (a machine without one: float32)
    assert resolve_precision("auto", device="cuda") == (torch.bfloat16 if torch.cuda.is_available()
                                                         and torch.cuda.is_bf16_supported() else torch.float32)
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("half")


@pytest.mark.parametrize("text, message", [
    ("batch_size: four", r"line 3: batch_size: Input should be a valid integer.*'four'"),
    ("epochs: 1.5", r"line 3: epochs: Input should be a valid integer, got a number with a fractional part"),
    ("milestones: 5", r"line 3: milestones: Input should be a valid tuple"),
    ("lr: [1", r"not valid YAML .* at line 4"),  # the parser notices at the end of the file
    ("part_mixing: 2", r"line 3: part_mixing must lie in \[0, 1\]"),
])
def test_wrong_types_and_syntax_name_the_field_and_its_yaml_line(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(f"data: x\nout: y\n{text}\n")
    with pytest.raises(ValueError, match=message):
        TrainConfig.from_yaml(path)


def test_the_torchrun_entry_point_reports_a_bad_config_in_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "c.yaml"
    path.write_text("data: x\nout: y\nbatch_size: four\n")
    result = subprocess.run([sys.executable, "-m", "gtrs.train", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {path}, line 3: batch_size")


def test_a_gpu_config_on_a_machine_without_one_says_so(tmp_path):
    import torch

    from gtrs.train.loop import Trainer

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    cfg = TrainConfig.from_yaml("gpu_broad", data=str(tmp_path), out=str(tmp_path / "run"))
    assert cfg.device == "cuda" and cfg.batch_size == 256
    with pytest.raises(ValueError, match="torch sees no CUDA GPU here; use device: cpu"):
        Trainer(cfg)
