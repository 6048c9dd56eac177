from gtrs.bench.report import bench_report
from gtrs.models import create_model
from gtrs.models.checkpoint import save_checkpoint
from gtrs.train.loop import front_view_template


def test_report_measures_every_row_and_the_paper_cost_ratios(tiny_data, tmp_path, anny_body):
    model = create_model("cpu", front_view_template(anny_body))
    ckpt = tmp_path / "gtrs.safetensors"
    save_checkpoint(ckpt, model, None, {"model_config": model.cfg.to_dict(), "model_type": "GTRS"})
    path = bench_report(tiny_data, ckpt, None, tmp_path / "report", batches=1, batch_size=4, fit_people=2,
                        fit_iterations=10)
    text = path.read_text()
    for row in ("GTRS (shipped", "mean pose", "optimisation fit"):
        assert row in text
    assert "| params | 7,887,393 | 77,130,876 | 10.2% | 10.2% |" in text
    assert "- GTRS (shipped, cpu config): no training record in the checkpoint" in text
    assert (tmp_path / "report" / "accuracy_vs_cost.png").stat().st_size > 1000
