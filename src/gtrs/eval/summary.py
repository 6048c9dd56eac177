"""The results block of the README, made from the committed reports (never typed by hand):
``tools/write_results.py`` writes it, ``tests/test_docs.py`` checks the README still matches."""
from __future__ import annotations

import json
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"
METRICS = ("mpjpe", "pa_mpjpe", "mpvpe")


def _row(name: str, m: dict) -> str:
    return f"| {name} | " + " | ".join(f"{m[f'{k}/{x}']:.1f}" for k in ("exact", "noisy") for x in METRICS) + " |"


def results_markdown(docs: str | Path) -> str:
    """The README's results block from ``docs``/evaluation, evaluation_64 (the first 64 test examples, the
    ones the optimisation baseline is run on), baselines/*, evaluation_val and probes."""
    docs = Path(docs)
    test = json.loads((docs / "evaluation" / "evaluation.json").read_text())
    header = test.get("header", {})
    lines = [f"Test split (held-out capture subject), {test['examples']} examples, "
             f"{header.get('sampling', 'random frames')}, seed {header.get('seed', 0)}; mm "
             f"(`docs/evaluation/evaluation.md`):", "",
             "| predictor | exact MPJPE | exact PA-MPJPE | exact MPVPE | noisy MPJPE | noisy PA-MPJPE | noisy MPVPE |",
             "|---|---|---|---|---|---|---|", _row("shipped network", test["metrics"])]
    same64 = docs / "evaluation_64" / "evaluation.json"
    if same64.is_file():
        report = json.loads(same64.read_text())
        lines.append(_row(f"shipped network on the optimisation baseline's {report['examples']} examples",
                          report["metrics"]))
    for path in sorted((docs / "baselines").glob("*/evaluation.json")):
        report = json.loads(path.read_text())
        lines.append(_row(f"{report['checkpoint']} ({report['examples']} examples)", report["metrics"]))
    val = docs / "evaluation_val" / "evaluation.json"
    if val.is_file():
        report = json.loads(val.read_text())
        lines.append(_row(f"shipped network, val split ({report['examples']} examples)", report["metrics"]))
    probes = docs / "probes" / "probes.json"
    if probes.is_file():
        p = json.loads(probes.read_text())
        lines += ["", "Probes (`docs/probes/probes.md`): PA-MPJPE exact / noisy per posture of the probe clips, "
                  "and torn meshes (% exact / noisy) per visibility pattern:", "",
                  "| posture | frames | PA-MPJPE |", "|---|---|---|"]
        lines += [f"| {name} | {m['examples']} | {m['exact/pa_mpjpe']:.1f} / {m['noisy/pa_mpjpe']:.1f} |"
                  for name, m in p["postures"].items()]
        lines += ["", "| view | visible joints | PA-MPJPE | torn % |", "|---|---|---|---|"]
        lines += [f"| {name} | {m['exact/visible_joints']:.1f} | {m['exact/pa_mpjpe']:.1f} / {m['noisy/pa_mpjpe']:.1f} | "
                  f"{m['exact/torn_pct']:.0f} / {m['noisy/torn_pct']:.0f} |" for name, m in p["visibility"].items()]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` with the part between the results markers replaced by ``block``."""
    if START not in text or END not in text:
        raise ValueError(f"the README has no {START} ... {END} block")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"
