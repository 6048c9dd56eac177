"""Training survives bad checkpoints: checksums, no non-finite checkpoint ever written, a corrupt last
checkpoint refused with a fallback to the best one, non-finite steps skipped, stale temp files removed."""
import pytest
import torch

from gtrs.models.checkpoint import NonFiniteError, read_checkpoint, save_checkpoint
from gtrs.train.config import TrainConfig
from gtrs.train.loop import Trainer, TrainingDivergedError


def _config(data, out, **fields):
    base = dict(data=str(data), out=str(out), epochs=1, steps_per_epoch=3, batch_size=4, val_batches=1, threads=2,
                surface_loss_fraction=0.25, checkpoint_every=1)
    return TrainConfig(**{**base, **fields})


def _all_finite(path):
    tensors, _ = read_checkpoint(path)
    return all(torch.isfinite(v).all() for v in tensors.values() if v.is_floating_point())


def _flip_bytes(path, count=64):
    data = bytearray(path.read_bytes())
    for i in range(count):  # in the tensor data, well past the JSON header
        data[len(data) // 2 + 97 * i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_checkpoint_with_flipped_bytes_is_refused_and_resume_falls_back_to_best(tiny_data, tmp_path, anny_body, capsys):
    cfg = _config(tiny_data, tmp_path / "run")
    Trainer(cfg).run()
    last, best = tmp_path / "run" / "last.safetensors", tmp_path / "run" / "best.safetensors"
    _flip_bytes(last)
    with pytest.raises(ValueError, match="corrupt"):
        read_checkpoint(last)
    resumed = Trainer(_config(tiny_data, tmp_path / "run", epochs=2), resume=True)
    captured = capsys.readouterr()
    assert "last.safetensors is corrupt" in captured.out + captured.err
    assert "continuing from" in captured.out + captured.err
    _, best_state = read_checkpoint(best)
    assert resumed.step == best_state["step"]
    resumed.run()
    assert _all_finite(last) and _all_finite(best)
    _flip_bytes(last)
    _flip_bytes(best)
    with pytest.raises(ValueError, match="cannot be used either"):
        Trainer(_config(tiny_data, tmp_path / "run", epochs=3), resume=True)


def test_non_finite_weights_are_never_written(tmp_path):
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight[0, 0] = float("nan")
    with pytest.raises(NonFiniteError, match="non-finite values in model.weight"):
        save_checkpoint(tmp_path / "x.safetensors", model, None, {"step": 1})
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_non_finite_steps_are_skipped_counted_and_stop_the_run(tiny_data, tmp_path, anny_body):
    trainer = Trainer(_config(tiny_data, tmp_path / "run", max_nonfinite_steps=2, epochs=2, checkpoint_every=100))
    with torch.no_grad():
        trainer.model.mrm.template[0, 0] = float("nan")  # every loss from now on is NaN
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    with pytest.raises(TrainingDivergedError, match="3 steps in a row"):
        trainer.run()
    assert trainer.nonfinite_steps == 3
    after = trainer.model.state_dict()
    assert all(torch.equal(before[k], after[k]) or k == "mrm.template" for k in before)  # no update applied
    assert not (tmp_path / "run" / "last.safetensors").exists()  # nothing non-finite was saved
    with pytest.raises(NonFiniteError):  # and a save now would refuse
        trainer.save()
    assert not (tmp_path / "run" / "last.safetensors").exists()


def test_temporary_files_of_killed_saves_are_removed_at_start(tiny_data, tmp_path, anny_body):
    run = tmp_path / "run"
    run.mkdir()
    stale = [run / ".last.safetensors.abc123.safetensors", run / ".best.safetensors.x.safetensors"]
    for path in stale:
        path.write_bytes(b"\0" * 1000)
    keep = run / "notes.txt"
    keep.write_text("mine")
    Trainer(_config(tiny_data, run))
    assert not any(p.exists() for p in stale) and keep.exists()
