"""``gtrs data build``: motion-capture clips (BVH, Acclaim ASF/AMC) -> retargeted body poses at
``TRAINING_FPS``, split by capture subject.

Subjects are the clips' folders (CMU ``02/02_01.bvh`` -> ``02``, HDM05 ``mm/HDM_mm_...amc`` ->
``mm``). The split names whole subjects (``subject_splits.json``: CMU subject 02 and HDM05 actor mm
are the test split, CMU 08 and 10 validation, everyone else trains) when it names a validation and a
test subject of the folder; otherwise (someone else's clips) subjects are split by ``seed``.

Output folder:
    manifest.json           the split (subjects per split), every clip with its status, the seed
    poses/<clip>.npz        ``quaternions`` (T, K, 4) float32 (w, x, y, z; per-bone rotation
                            relative to the parent, world axes), ``root_position`` (T, 3) metres,
                            ``fps``, ``skeleton``

Poses, not meshes, are stored: meshes are generated on the fly with random body shapes and cameras
(``gtrs.synthetic.dataset``). Clips already converted are skipped, so an interrupted build resumes;
a malformed or unmappable clip is reported in the manifest and skipped.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import roma
import torch
from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.body.anny import AnnyBody
from gtrs.mocap.bvh import BVHError
from gtrs.mocap.clips import MocapError, clip_subject, find_clips, read_clip, resample_indices
from gtrs.mocap.retarget import detect_skeleton, retarget

SPLITS = ("train", "val", "test")
PROBE = "probe"  # clips held out of every split (posture probes), listed in posture_probe.json
ALL = "all"  # every converted clip, whatever its split (evaluating a folder of clips)
PROBE_CLIPS_FILE = Path(__file__).resolve().parent / "posture_probe.json"
SUBJECT_SPLITS_FILE = Path(__file__).resolve().parent / "subject_splits.json"
TRAINING_FPS = 30.0  # every clip is stored at this rate (CMU's BVH files are 30 fps, HDM05 120)


def named_subject_splits() -> dict[str, str]:
    """The packaged split of the known capture subjects: subject -> 'val' or 'test'."""
    data = json.loads(SUBJECT_SPLITS_FILE.read_text())
    return {s: split for split in ("val", "test") for s in data[split]}


def probe_clips() -> dict[str, str]:
    """The CMU clips kept out of training, validation and test as the posture probe: clip -> description."""
    return json.loads(PROBE_CLIPS_FILE.read_text())["clips"]


@dataclass
class BuildResult:
    out: Path
    split_frames: dict[str, int]
    split_subjects: dict[str, list[str]]
    skipped: dict[str, str]


def split_subjects(frames_per_subject: dict[str, int], seed: int, val: float = 0.1, test: float = 0.1,
                   named: dict[str, str] | None = None) -> dict[str, str]:
    """Assign whole subjects to splits: as ``named`` says (default: ``named_subject_splits()``), the
    rest to train, when that gives both val and test a subject; otherwise every subject shuffled by
    ``seed`` and test then val filled to their frame shares."""
    named = named_subject_splits() if named is None else named
    assignment = {s: named.get(s, "train") for s in frames_per_subject}
    if {"val", "test"} <= set(assignment.values()):
        return assignment
    subjects = sorted(frames_per_subject)
    random.Random(seed).shuffle(subjects)
    total = sum(frames_per_subject.values())
    assignment, filled = {}, {"test": 0, "val": 0}
    for s in subjects:
        target = next((k for k, share in (("test", test), ("val", val)) if filled[k] < share * total), "train")
        assignment[s] = target
        if target in filled:
            filled[target] += frames_per_subject[s]
    return assignment


def build_dataset(mocap_dir: str | Path, out: str | Path, seed: int = 0, show_progress: bool = True,
                  holdout: dict[str, str] | None = None, amc_fps: float | None = None) -> BuildResult:
    """Convert every BVH and AMC clip under ``mocap_dir`` and write the split manifest (see the module
    docstring). ``amc_fps``: the frame rate of AMC files whose name lacks the ``_<fps>`` suffix.

    Clips named in ``holdout`` (default: the posture probe, ``probe_clips()``) go to the ``probe``
    split instead of their subject's; subjects are assigned to splits with them counted, so the
    subject split is the same with or without a holdout."""
    holdout = probe_clips() if holdout is None else holdout
    mocap_dir, out = Path(mocap_dir), Path(out)
    if not mocap_dir.is_dir():
        raise FileNotFoundError(f"--mocap {mocap_dir} is not a folder")
    files = find_clips(mocap_dir)
    if not files:
        raise FileNotFoundError(f"no .bvh or .amc files under {mocap_dir}")
    names = [f.stem for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"clip names must be unique (they name the outputs); repeated: {duplicates[:5]}")
    (out / "poses").mkdir(parents=True, exist_ok=True)
    body = AnnyBody()
    with torch.no_grad():
        rest = body().bone_heads[0].double().numpy()

    clips, skipped = [], {}
    for path in tqdm(files, desc="retargeting", unit="clip", disable=not show_progress):
        target = out / "poses" / f"{path.stem}.npz"
        entry = {"clip": path.stem, "source": str(path.relative_to(mocap_dir)), "subject": clip_subject(path, mocap_dir)}
        if target.is_file():  # resumed build
            with np.load(target) as data:
                entry.update(status="ok", frames=int(data["quaternions"].shape[0]), skeleton=str(data["skeleton"]))
            clips.append(entry)
            continue
        try:
            motion = read_clip(path, amc_fps)
            if motion.num_frames == 0:
                raise BVHError(f"{path}: the clip has no frames")
            skeleton = detect_skeleton(motion)
            moved = retarget(motion, skeleton, body.bone_names, body.bone_parents, rest)
            if not (np.isfinite(moved.rotations).all() and np.isfinite(moved.root_position).all()):
                raise BVHError(f"{path}: retargeting gave non-finite poses (zero-length bones or extreme values?)")
            keep = resample_indices(motion.num_frames, motion.fps, TRAINING_FPS)
            rotations, root_position = moved.rotations[keep], moved.root_position[keep]
        except (*MocapError, ValueError, KeyError) as e:
            skipped[path.stem] = str(e)
            clips.append({**entry, "status": "skipped", "reason": str(e)})
            continue
        except Exception as e:  # one odd clip never stops a build: report it and go on
            reason = f"{path}: {type(e).__name__}: {e}"
            skipped[path.stem] = reason
            clips.append({**entry, "status": "skipped", "reason": reason})
            continue
        quats = roma.rotmat_to_unitquat(torch.as_tensor(rotations))  # (T, K, 4) xyzw
        quats = torch.cat([quats[..., 3:], quats[..., :3]], dim=-1).float().numpy()  # stored as wxyz
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, quaternions=quats, root_position=root_position.astype(np.float32),
                         fps=np.float32(TRAINING_FPS), skeleton=skeleton.name)
        clips.append({**entry, "status": "ok", "frames": len(keep), "skeleton": skeleton.name})

    if not any(c["status"] == "ok" for c in clips):
        raise ValueError(f"no clip under {mocap_dir} could be converted; e.g. " + "; ".join(list(skipped.values())[:2]))
    frames_per_subject: dict[str, int] = {}
    for c in clips:
        if c["status"] == "ok":
            frames_per_subject[c["subject"]] = frames_per_subject.get(c["subject"], 0) + c["frames"]
    assignment = split_subjects(frames_per_subject, seed)
    for c in clips:
        c["split"] = (PROBE if c["clip"] in holdout else assignment[c["subject"]]) if c["status"] == "ok" else None
    split_frames = {s: sum(c["frames"] for c in clips if c.get("split") == s) for s in SPLITS + (PROBE,)}
    subjects = {s: sorted(k for k, v in assignment.items() if v == s) for s in SPLITS}
    manifest = {"format": 1, "seed": seed, "rig": "anny/cmu_mb", "bone_names": list(body.bone_names),
                "mocap_dir": str(mocap_dir.resolve()),
                "splits": subjects, "split_frames": split_frames, "clips": clips}
    with atomic_path(out / "manifest.json") as tmp:
        tmp.write_text(json.dumps(manifest, indent=1))
    return BuildResult(out=out, split_frames=split_frames, split_subjects=subjects, skipped=skipped)


def load_manifest(data_dir: str | Path) -> dict:
    """The manifest of a built dataset; a clear error if the folder is not one."""
    path = Path(data_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: build the data first with `gtrs data build --mocap ... --out {data_dir}`")
    return json.loads(path.read_text())


def load_split_clips(data_dir: str | Path, split: str, subjects: list[str] | None = None) -> list[tuple[str, torch.Tensor]]:
    """Every clip of ``split`` in manifest order: (clip name, rotations (T, K, 3, 3) float32).
    ``split`` is 'train', 'val', 'test', 'probe', or 'all' (every converted clip); ``subjects``
    keeps only those capture subjects' clips."""
    if split not in SPLITS + (PROBE, ALL):
        raise ValueError(f"split must be one of {SPLITS + (PROBE, ALL)}, got {split!r}")
    manifest = load_manifest(data_dir)
    clips = []
    for c in manifest["clips"]:
        if c["status"] == "ok" and (c["split"] == split or split == ALL) and (not subjects or c["subject"] in subjects):
            with np.load(Path(data_dir) / "poses" / f"{c['clip']}.npz") as data:
                q = torch.as_tensor(data["quaternions"])
            clips.append((c["clip"], roma.unitquat_to_rotmat(torch.cat([q[..., 1:], q[..., :1]], dim=-1))))
    if not clips:
        raise ValueError(f"{data_dir}: split {split!r} has no clips" + (f" of subjects {subjects}" if subjects else ""))
    return clips


def load_split_rotations(data_dir: str | Path, split: str) -> torch.Tensor:
    """All stored poses of ``split`` as rotation matrices (N, K, 3, 3) float32."""
    return torch.cat([rotations for _, rotations in load_split_clips(data_dir, split)])
