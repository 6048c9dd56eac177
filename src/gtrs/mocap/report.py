"""``gtrs data fidelity``: the retargeting fidelity table over a folder of BVH and ASF/AMC clips."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from gtrs.body.anny import SKELETON_LOCAL_CHANGES, AnnyBody
from gtrs.mocap.clips import MocapError, clip_subject, find_clips, read_clip
from gtrs.mocap.fidelity import ClipFidelity, clip_fidelity, fit_phenotype
from gtrs.mocap.retarget import detect_skeleton, retarget


def fidelity_report(mocap_dir: str | Path, fit_skeleton: bool = True, show_progress: bool = True,
                    amc_fps: float | None = None) -> tuple[list[ClipFidelity], dict[str, str]]:
    """Fidelity of every clip under ``mocap_dir``, with the body fitted per subject (the clip's folder;
    phenotype, plus the skeleton local changes if ``fit_skeleton``); also returns the skipped clips."""
    mocap_dir = Path(mocap_dir)
    if not mocap_dir.is_dir():
        raise FileNotFoundError(f"--mocap {mocap_dir} is not a folder")
    files = find_clips(mocap_dir)
    if not files:
        raise FileNotFoundError(f"no .bvh or .amc files under {mocap_dir}")
    body = AnnyBody(local_changes=SKELETON_LOCAL_CHANGES if fit_skeleton else ())
    with torch.no_grad():
        rest = body().bone_heads[0].double().numpy()
    by_subject: dict[str, list] = defaultdict(list)
    skipped = {}
    for path in files:
        try:
            motion = read_clip(path, amc_fps)
            skeleton = detect_skeleton(motion)
            by_subject[clip_subject(path, mocap_dir)].append(
                (motion, retarget(motion, skeleton, body.bone_names, body.bone_parents, rest), skeleton))
        except (*MocapError, ValueError, KeyError) as e:
            skipped[path.stem] = str(e)
    if not by_subject:
        raise ValueError(f"no clip under {mocap_dir} could be read; e.g. " + "; ".join(list(skipped.values())[:2]))
    results = []
    for _, items in tqdm(sorted(by_subject.items()), desc="fidelity", unit="subject", disable=not show_progress):
        phenotype = fit_phenotype(body, [(m, r) for m, r, _ in items[:6]], items[0][2])
        results.extend(clip_fidelity(body, m, r, s, phenotype) for m, r, s in items)
    return results, skipped


def fidelity_markdown(results: list[ClipFidelity]) -> str:
    """A Markdown table: per clip and overall (frame-weighted) mean error per joint group, mm."""
    groups = ("hip", "knee", "ankle", "shoulder", "elbow", "wrist")

    def group_means(r: ClipFidelity) -> list[float]:
        return [np.mean([v for k, v in r.per_joint_mm.items() if k.endswith(g)]) for g in groups]

    lines = ["| clip | frames | scale | " + " | ".join(groups) + " | mean |", "|---" * (len(groups) + 4) + "|"]
    for r in results:
        lines.append(f"| {r.clip} | {r.frames} | {r.scale:.3f} | " + " | ".join(f"{v:.1f}" for v in group_means(r))
                     + f" | {r.mean_mm:.1f} |")
    w = np.array([r.frames for r in results], dtype=float)
    overall = np.average(np.array([group_means(r) for r in results]), axis=0, weights=w)
    mean = np.average([r.mean_mm for r in results], weights=w)
    lines.append(f"| **all ({len(results)} clips)** | {int(w.sum())} | | " + " | ".join(f"**{v:.1f}**" for v in overall)
                 + f" | **{mean:.1f}** |")
    return "\n".join(lines)
