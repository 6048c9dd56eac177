"""Training runs end to end on tiny data the tests make: checkpoints, exact resume after SIGKILL,
and two data-parallel processes under torchrun."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
import yaml

from gtrs.models.checkpoint import load_model, read_checkpoint


def write_config(path, data, out, **fields):
    cfg = dict(data=str(data), out=str(out), model="cpu", epochs=2, steps_per_epoch=6, batch_size=4, val_batches=1,
               checkpoint_every=2, threads=1, surface_loss_fraction=0.25, **fields)
    path.write_text(yaml.safe_dump(cfg))
    return path


def run_training(config, *extra, env=None):
    return subprocess.Popen([sys.executable, "-m", "gtrs.train", str(config), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_training_writes_loadable_checkpoints_and_history(tiny_data, tmp_path, anny_body):
    cfg = write_config(tmp_path / "c.yaml", tiny_data, tmp_path / "run", max_steps=3)
    proc = run_training(cfg)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    model, state = load_model(tmp_path / "run" / "last.safetensors")
    assert state["step"] == 3 and state["model_config"]["template_tokens"] == 6
    vertices, _ = model(torch.rand(2, 19, 3) * 300)
    assert vertices.shape == (2, anny_body.num_vertices, 3)
    for name in ("best.safetensors", "history.json", "curves.png"):
        assert (tmp_path / "run" / name).is_file(), name
    assert any((tmp_path / "run" / "tensorboard").iterdir())
    # the release file: fp16 weights, smaller, same predictions to within fp16 rounding
    from gtrs.models.pretrained import release_weights

    released = release_weights(tmp_path / "run" / "last.safetensors", tmp_path / "release.safetensors")
    assert released.stat().st_size < 0.4 * (tmp_path / "run" / "last.safetensors").stat().st_size
    half_model, half_state = load_model(released)
    assert half_state["step"] == 3
    keypoints = torch.rand(2, 19, 3) * 300
    with torch.no_grad():
        diff = (half_model(keypoints)[0] - model(keypoints)[0]).abs().max()
    assert diff < 5e-3


def test_a_time_budget_stops_the_run_with_a_checkpoint_and_survives_resume(tiny_data, tmp_path, anny_body):
    """max_minutes ends the run early (validated and saved); a resumed run counts the time already spent."""
    cfg = write_config(tmp_path / "t.yaml", tiny_data, tmp_path / "t", max_minutes=0.001)  # 60 ms: one step
    proc = run_training(cfg)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    _, state = read_checkpoint(tmp_path / "t" / "last.safetensors")
    assert state["step"] == 1 and state["seconds"] >= 0.06
    assert [h["step"] for h in state["history"]] == [1]  # validated at the stop
    proc = run_training(cfg, "--resume")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert read_checkpoint(tmp_path / "t" / "last.safetensors")[1]["step"] == 1  # budget already spent


def test_a_run_killed_mid_epoch_resumes_exactly(tiny_data, tmp_path, anny_body):
    # with body-part mixing and mixed exact/noisy input on: their random draws must resume exactly too
    fields = dict(part_mixing=0.5, noisy_input=0.5, best_metric="mean/mpvpe")
    straight = write_config(tmp_path / "a.yaml", tiny_data, tmp_path / "a", **fields)
    proc = run_training(straight)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err

    killed = write_config(tmp_path / "b.yaml", tiny_data, tmp_path / "b", **fields)
    proc = run_training(killed)
    last = tmp_path / "b" / "last.safetensors"
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        if last.is_file():
            try:
                if read_checkpoint(last)[1]["step"] >= 2:
                    break
            except ValueError:
                pass  # never half-written (atomic), but the rename may race the read
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    step_at_kill = read_checkpoint(last)[1]["step"]
    assert 2 <= step_at_kill < 12

    proc = run_training(killed, "--resume")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    a, state_a = read_checkpoint(tmp_path / "a" / "last.safetensors")
    b, state_b = read_checkpoint(last)
    assert state_b["step"] == state_a["step"] == 12
    for key in a:
        if key.startswith("model."):
            assert torch.equal(a[key], b[key]), key  # bit-identical to the uninterrupted run
    assert [h["step"] for h in state_b["history"]] == [h["step"] for h in state_a["history"]]
    # best.safetensors is the validation with the lowest mean of exact and noisy MPVPE
    scores = {h["step"]: h["exact/mpvpe"] + h["noisy/mpvpe"] for h in state_b["history"]}
    assert read_checkpoint(tmp_path / "b" / "best.safetensors")[1]["step"] == min(scores, key=scores.get)


def test_two_processes_under_torchrun_keep_identical_replicas(tiny_data, tmp_path, anny_body):
    cfg = write_config(tmp_path / "d.yaml", tiny_data, tmp_path / "ddp", max_steps=3)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "gtrs.train", str(cfg)], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _, state = read_checkpoint(tmp_path / "ddp" / "last.safetensors")
    assert state["world_size"] == 2 and state["step"] == 3
    assert state["replica_max_abs_diff"] == 0.0


def test_bad_configs_are_rejected_with_the_field_named(tmp_path):
    from gtrs.train.config import TrainConfig

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"data": "d", "out": "o", "learning_rate": 1}))
    with pytest.raises(ValueError, match=r"unknown fields \['learning_rate'\]"):
        TrainConfig.from_yaml(bad)
    with pytest.raises(ValueError, match="stage must be 'pam' or 'full'"):
        TrainConfig(data="d", out="o", stage="both")
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        from gtrs.train.loop import Trainer

        Trainer(TrainConfig(data="d", out=str(tmp_path / "x")), resume=True)


@pytest.mark.parametrize("model", ["cpu", "pose2mesh"])
@pytest.mark.parametrize("stage", ["pam", "full"])
def test_every_model_trains_in_both_stages_and_reloads(tiny_data, tmp_path, anny_body, model, stage):
    from gtrs.train.config import TrainConfig
    from gtrs.train.loop import Trainer

    cfg = TrainConfig(data=str(tiny_data), out=str(tmp_path / "run"), model=model, stage=stage, epochs=1,
                      steps_per_epoch=2, batch_size=4, val_batches=1, threads=2, surface_loss_fraction=0.25)
    trainer = Trainer(cfg)
    trainer.body = anny_body
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.run()
    after = trainer.model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed, "no weight changed"
    if stage == "pam":  # only the pose-lifting part trains
        prefix = "pam." if model == "cpu" else "posenet."
        assert all(k.startswith(prefix) for k in changed), sorted(changed)[:3]
    reloaded, state = load_model(tmp_path / "run" / "last.safetensors")
    assert state["model_type"] == type(trainer.model).__name__
    kp = torch.rand(2, 19, 3) * 300
    trainer.model.eval()
    with torch.no_grad():
        torch.testing.assert_close(reloaded(kp)[0], trainer.model(kp)[0])


def test_broad_data_trains_in_bfloat16_with_generated_postures_and_hidden_joints(tiny_data, tmp_path, anny_body):
    """The cpu_broad recipe on tiny data: generated postures, perturbation, wide views, hidden joints and
    bfloat16 autocast; the loss is finite, weights change, and validation sees the same views."""
    from gtrs.train.config import TrainConfig
    from gtrs.train.loop import Trainer

    cfg = TrainConfig(data=str(tiny_data), out=str(tmp_path / "run"), epochs=1, steps_per_epoch=3, batch_size=8,
                      val_batches=1, threads=2, surface_loss_fraction=0.25, generated_poses=0.5, perturb_degrees=5.0,
                      camera="wide", framing_cut=0.5, limb_hidden=0.5, side_hidden=0.5, precision="bfloat16")
    trainer = Trainer(cfg)
    assert trainer.autocast_dtype == torch.bfloat16 and trainer.batches.synth.camera.elevation_range == (-30.0, 75.0)
    batch = trainer._batch("train", torch.Generator().manual_seed(0))
    assert (batch["keypoints2d_conf"] == 0).any()
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    terms = trainer.train_step()
    assert all(torch.isfinite(torch.tensor(v)) for v in terms.values())
    assert any(not torch.equal(before[k], v) for k, v in trainer.model.state_dict().items())
    assert trainer.batches.postures.drawn > 0


def test_batches_from_worker_processes_are_the_same_for_any_worker_count_and_resume_exactly(tiny_data, tmp_path,
                                                                                              anny_body):
    """data_workers: each step's batch comes from its own seed, so two workers, one worker, and two
    workers stopped after 2 steps and resumed all train the same weights."""
    fields = dict(part_mixing=0.5, noisy_input=0.5, generated_poses=0.3, perturb_degrees=5.0)
    runs = {}
    for name, workers, steps in (("two", 2, 4), ("one", 1, 4), ("split", 2, 2)):
        cfg = write_config(tmp_path / f"{name}.yaml", tiny_data, tmp_path / name, data_workers=workers, max_steps=steps,
                           **fields)
        proc = run_training(cfg)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        runs[name] = cfg
    assert read_checkpoint(tmp_path / "split" / "last.safetensors")[1]["step"] == 2
    write_config(runs["split"], tiny_data, tmp_path / "split", data_workers=2, max_steps=4, **fields)
    proc = run_training(runs["split"], "--resume")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    weights = {name: read_checkpoint(tmp_path / name / "last.safetensors") for name in runs}
    assert all(state["step"] == 4 for _, state in weights.values())
    reference = weights["two"][0]
    for name in ("one", "split"):
        for key in reference:
            if key.startswith("model."):
                assert torch.equal(reference[key], weights[name][0][key]), (name, key)
    # and the batches differ from the training process's own draws (another stream, not a copy)
    cfg = write_config(tmp_path / "inline.yaml", tiny_data, tmp_path / "inline", max_steps=4, **fields)
    proc = run_training(cfg)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    inline = read_checkpoint(tmp_path / "inline" / "last.safetensors")[0]
    assert any(not torch.equal(reference[k], inline[k]) for k in reference if k.startswith("model."))


def test_validation_draws_the_evaluations_adult_bodies_whatever_the_training_bodies(tiny_data, tmp_path, anny_body):
    from gtrs.body.anny import ADULT_AGE_RANGE
    from gtrs.train.batches import SyntheticBatches
    from gtrs.train.config import TrainConfig

    cfg = TrainConfig(data=str(tiny_data), out=str(tmp_path / "run"), bodies="every", batch_size=64,
                      generated_poses=0.0, perturb_degrees=0.0)
    batches = SyntheticBatches(cfg, anny_body)
    train = batches.draw("train", torch.Generator().manual_seed(0))["shape"]
    val = batches.draw("val", torch.Generator().manual_seed(0))["shape"]
    assert (train[:, 1] < ADULT_AGE_RANGE[0]).any()  # children among the training bodies
    assert (val[:, 1] >= ADULT_AGE_RANGE[0]).all()  # adults only in validation, as in gtrs evaluate
