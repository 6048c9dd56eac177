"""Numbers in the README and the model card come from the committed reports."""
import json
from pathlib import Path

from gtrs.eval.summary import END, START, results_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_results_block_matches_the_committed_reports():
    readme = (ROOT / "README.md").read_text()
    block = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == results_markdown(ROOT / "docs").strip(), "run: python tools/write_results.py"


def test_the_model_card_quotes_the_committed_test_evaluation():
    card = (ROOT / "MODEL_CARD.md").read_text()
    metrics = json.loads((ROOT / "docs" / "evaluation" / "evaluation.json").read_text())["metrics"]
    for key in ("exact/mpjpe", "exact/pa_mpjpe", "exact/mpvpe", "noisy/mpjpe", "noisy/pa_mpjpe", "noisy/mpvpe"):
        assert f"{metrics[key]:.1f}" in card, key
