"""How well the photo path finds people: the detector against human COCO keypoints (issue #31).

``gtrs evaluate --photos ANNOTATIONS.json --detector``: for every image of a COCO keypoint annotation
file (the images beside it), the bundled detector's people are matched one to one with the annotated
people by object keypoint similarity (OKS, COCO's formula and per-joint sigmas; greedy, best pairs
first, a pair counts from ``MATCH_OKS``). Reported, overall and per photo:

- people found / annotated (annotated: ``min_keypoints`` or more labelled keypoints, not a crowd);
- PCK@0.1 and @0.2: the share of annotated keypoints within 0.1 / 0.2 of the person's torso diameter
  (the longer shoulder-to-opposite-hip diagonal; half the box diagonal when neither is labelled) on
  the people found, and counting the people missed as all wrong; a keypoint the detector left out is
  wrong; mean OKS of the matched pairs;
- added people: detections matched to nobody that do not lie on an ignored annotation (fewer keypoints,
  a crowd, or a person box without keypoints): reflections, merged people, fragments;
- seconds per photo (the first photo apart: it loads the models).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gtrs.body.keypoint_similarity import oks

MATCH_OKS = 0.2  # a detection and an annotation below this similarity are different people
MIN_KEYPOINTS = 6


def torso_diameter(annotated: np.ndarray, box: list[float]) -> float:
    """The longer of the two shoulder-to-opposite-hip diagonals (COCO-17: 5, 6 shoulders; 11, 12 hips),
    or half the box diagonal when neither is labelled."""
    lengths = [np.linalg.norm(annotated[a, :2] - annotated[b, :2]) for a, b in ((5, 12), (6, 11))
               if annotated[a, 2] > 0 and annotated[b, 2] > 0]
    return float(max(lengths)) if lengths else 0.5 * float(np.hypot(box[2], box[3]))


def pck_hits(detected: np.ndarray, annotated: np.ndarray, box: list[float], fraction: float) -> tuple[int, int]:
    """(keypoints within ``fraction`` of the torso diameter, keypoints labelled)."""
    labelled = annotated[:, 2] > 0
    near = np.linalg.norm(detected[:, :2] - annotated[:, :2], axis=-1) <= fraction * torso_diameter(annotated, box)
    return int((near & labelled & (detected[:, 2] > 0)).sum()), int(labelled.sum())


@dataclass
class PhotoResult:
    image: str
    annotated: int
    found: int
    added: int
    seconds: float
    oks: list[float] = field(default_factory=list)
    hits: dict = field(default_factory=lambda: {0.1: 0, 0.2: 0})
    labelled_found: int = 0
    labelled_all: int = 0


def match_people(detections: list[np.ndarray], people: list[dict], ignored: list[dict]) -> tuple[list, int]:
    """One-to-one OKS matches [(detection, annotation, oks)] of detections (17, 3) with ``people``
    (COCO annotations), best first; and the count of detections matched to nobody and lying on no
    ignored annotation."""
    pairs = sorted(((oks(d, np.reshape(a["keypoints"], (17, 3)), a["area"]), i, j)
                    for i, d in enumerate(detections) for j, a in enumerate(people)), reverse=True)
    used_d, used_a, matches = set(), set(), []
    for score, i, j in pairs:
        if score < MATCH_OKS:
            break
        if i in used_d or j in used_a:
            continue
        used_d.add(i), used_a.add(j)
        matches.append((i, j, score))
    added = 0
    for i, d in enumerate(detections):
        if i in used_d:
            continue
        seen = d[d[:, 2] > 0, :2]
        centre = seen.mean(0) if len(seen) else None
        on_ignored = centre is not None and any(
            b[0] <= centre[0] <= b[0] + b[2] and b[1] <= centre[1] <= b[1] + b[3] for b in (a["bbox"] for a in ignored))
        added += not on_ignored
    return matches, added


def evaluate_photo_detector(annotations: str | Path, detector=None, min_keypoints: int = MIN_KEYPOINTS,
                            show_progress: bool = True, method: str = "solution") -> dict:
    """Run the photo path's detector over every image of a COCO keypoint annotation file (images beside
    it) and score it (see the module docstring). ``detector``: anything with ``detect_all(image)``
    returning COCO-19 keypoints (default: the bundled detector ``method``, a key of ``POSE_DETECTORS``)."""
    from tqdm import tqdm

    from gtrs.readers.detector import load_image
    from gtrs.readers.pose_detectors import POSE_DETECTORS, check_pose_detector

    annotations = Path(annotations)
    coco = json.loads(annotations.read_text())
    by_image: dict[int, list[dict]] = {}
    for a in coco.get("annotations", []):
        by_image.setdefault(a["image_id"], []).append(a)
    own = detector is None
    start = time.perf_counter()
    detector = detector or POSE_DETECTORS[check_pose_detector(method)]()
    load_s = time.perf_counter() - start
    results = []
    try:
        for image in tqdm(coco["images"], desc="photos", unit="photo", disable=not show_progress):
            path = annotations.parent / image["file_name"]
            people = [a for a in by_image.get(image["id"], [])
                      if not a.get("iscrowd") and a.get("num_keypoints", 0) >= min_keypoints]
            ignored = [a for a in by_image.get(image["id"], []) if a not in people]
            start = time.perf_counter()
            found = [d[:17] for d in detector.detect_all(load_image(path))]
            seconds = time.perf_counter() - start
            matches, added = match_people(found, people, ignored)
            r = PhotoResult(image["file_name"], len(people), len(matches), added, seconds)
            for i, j, score in matches:
                r.oks.append(score)
                truth = np.reshape(people[j]["keypoints"], (17, 3)).astype(float)
                for fraction in (0.1, 0.2):
                    r.hits[fraction] += pck_hits(found[i], truth, people[j]["bbox"], fraction)[0]
                r.labelled_found += int((truth[:, 2] > 0).sum())
            r.labelled_all = int(sum((np.reshape(a["keypoints"], (17, 3))[:, 2] > 0).sum() for a in people))
            results.append(r)
    finally:
        if own:
            detector.close()
    return summarise(results, load_s, annotations, min_keypoints, method if own else type(detector).__name__)


def summarise(results: list[PhotoResult], load_s: float, annotations: Path, min_keypoints: int,
              method: str = "solution") -> dict:
    """Totals and the per-photo rows of ``evaluate_photo_detector``."""
    annotated = sum(r.annotated for r in results)
    found = sum(r.found for r in results)
    labelled_found = sum(r.labelled_found for r in results)
    labelled_all = sum(r.labelled_all for r in results)

    def share(hits, total):
        return hits / total if total else float("nan")

    seconds = [r.seconds for r in results]
    return {
        "annotations": str(annotations), "method": method, "min_keypoints": min_keypoints, "match_oks": MATCH_OKS,
        "photos": len(results), "annotated": annotated, "found": found,
        "found_share": share(found, annotated), "added": sum(r.added for r in results),
        "pck@0.1_found": share(sum(r.hits[0.1] for r in results), labelled_found),
        "pck@0.2_found": share(sum(r.hits[0.2] for r in results), labelled_found),
        "pck@0.1_all": share(sum(r.hits[0.1] for r in results), labelled_all),
        "pck@0.2_all": share(sum(r.hits[0.2] for r in results), labelled_all),
        "mean_oks": float(np.mean([o for r in results for o in r.oks])) if found else float("nan"),
        "model_load_s": load_s, "median_s_per_photo": float(np.median(seconds)) if seconds else float("nan"),
        "first_photo_s": seconds[0] if seconds else float("nan"),
        "per_photo": [{"image": r.image, "annotated": r.annotated, "found": r.found, "added": r.added,
                       "pck@0.1": share(r.hits[0.1], r.labelled_found), "pck@0.2": share(r.hits[0.2], r.labelled_found),
                       "mean_oks": float(np.mean(r.oks)) if r.oks else float("nan"), "seconds": r.seconds}
                      for r in results],
    }


def photo_detection_markdown(s: dict) -> str:
    """The report as Markdown: totals, then one row per photo."""
    lines = [f"# The photo detector ({s.get('method', 'solution')}) against human keypoints: {s['annotations']}", "",
             f"People with {s['min_keypoints']}+ labelled keypoints; one-to-one OKS matches from {s['match_oks']}.", "",
             "| people found / annotated | PCK@0.1 found (all) | PCK@0.2 found (all) | mean OKS | added people | s per photo (median) | model load s |",
             "|---|---|---|---|---|---|---|",
             f"| {s['found']} / {s['annotated']} ({100 * s['found_share']:.0f}%) | {s['pck@0.1_found']:.2f} ({s['pck@0.1_all']:.2f}) "
             f"| {s['pck@0.2_found']:.2f} ({s['pck@0.2_all']:.2f}) | {s['mean_oks']:.2f} | {s['added']} "
             f"| {s['median_s_per_photo']:.2f} | {s['model_load_s']:.2f} |", "",
             "| photo | found / annotated | added | PCK@0.1 | PCK@0.2 | mean OKS | s |", "|---|---|---|---|---|---|---|"]
    def cell(value: float) -> str:
        return "-" if value != value else f"{value:.2f}"  # nan: nobody found on that photo

    for r in s["per_photo"]:
        lines.append(f"| {r['image']} | {r['found']} / {r['annotated']} | {r['added']} | {cell(r['pck@0.1'])} "
                     f"| {cell(r['pck@0.2'])} | {cell(r['mean_oks'])} | {r['seconds']:.2f} |")
    return "\n".join(lines) + "\n"
