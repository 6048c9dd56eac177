"""Probes of what users meet, never trained on (issue #13), reported by ``gtrs evaluate --probes``:

- **postures**: every frame of the posture-probe clips (the ``probe`` split of ``gtrs data build``:
  sitting, squatting, bending; see gtrs/synthetic/posture_probe.json), each frame labelled by posture from
  its skeleton's geometry (``posture_label``); and every frame of the test split's HDM05 clips (actor
  mm: squats, kneeling, lying, kicks, ...), one row per motion class (``hdm05_<class>``, issue #29);
- **visibility**: the test split seen as photos show people: framing cut at the knees, hips or chest,
  a hidden limb, a hidden side, a camera high above, people small in the frame;
- **ambiguity** (issue #30): the probe split's sitting, squatting and bending frames and the test
  split, seen from the front half of the circle and from level to 35 degrees above, each example
  labelled by the first segment (trunk, then a thigh, then a shin) that points at the camera or away
  from it (``towards_camera_label``: within ``TOWARDS_DEGREES`` of the line of sight, so that its
  picture is shorter than ``cos(TOWARDS_DEGREES)`` of its length), where 2D alone cannot tell
  towards from away;
- **photos**: the human COCO keypoints of real photos (``--photos``), whole and with only 4-8 joints
  kept (upper body, one side, random), where no 3D truth exists: torn-mesh rate only.

Every probe reports MPJPE / PA-MPJPE / MPVPE (mm) with exact and detector-noise 2D input, the
torn-mesh rate (the share of meshes with more than 1% of edges stretched or shrunk over 3x against
the mean body's template) and the mean share of such edges (graded: the network's vertices carry
millimetre noise, which distorts anny's sub-millimetre edges around the eyes, fingers and toes).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from gtrs.body.anny import AnnyBody
from gtrs.body.keypoint_formats import to_coco19
from gtrs.body.mesh_quality import mesh_edges
from gtrs.body.skeleton import Skeleton
from gtrs.synthetic.build import PROBE, load_split_clips, load_split_rotations
from gtrs.synthetic.camera import CameraSampling
from gtrs.synthetic.synth import SynthConfig, synthesize_batch
from gtrs.synthetic.visibility import VisibilityConfig
from gtrs.metrics import TORN_SHARE, distorted_edge_share, edge_lengths, mesh_metrics
from gtrs.eval.stages import staged_predictor
from gtrs.fit.mesh import MeshFitter
from gtrs.mocap.clips import hdm05_motion_class
from gtrs.models.checkpoint import load_model
from gtrs.synthetic.pairs import network_inputs
from gtrs.synthetic.pairs import targets

POSTURES = ("upright", "sit_or_squat", "bend_forward", "other")
# name -> (synthesis settings, forced framing cut level or None)
VISIBILITY_PROBES: dict[str, tuple[SynthConfig, int | None]] = {
    "full_view": (SynthConfig(), None),
    "cut_knees": (SynthConfig(), 0),
    "cut_hips": (SynthConfig(), 1),
    "cut_chest": (SynthConfig(), 2),
    "hidden_limb": (SynthConfig(visibility=VisibilityConfig(p_limb=1.0)), None),
    "hidden_side": (SynthConfig(visibility=VisibilityConfig(p_side=1.0)), None),
    "camera_high": (SynthConfig(camera=CameraSampling(elevation_range=(55.0, 75.0))), None),
    "small_in_frame": (SynthConfig(camera=CameraSampling(fill_range=(0.1, 0.2))), None),
}


# Views of the ambiguity probe: level to well above, from anywhere in front of the body
AMBIGUITY_CAMERA = CameraSampling(elevation_range=(0.0, 35.0))
TOWARDS_DEGREES = 40.0
# COCO-19 joint pairs (from, to) of the segments, in the order a label is given
SEGMENTS = (("trunk", ((17, 18),)), ("thigh", ((11, 13), (12, 14))), ("shin", ((13, 15), (14, 16))))
AMBIGUITY_GROUPS = tuple(f"{name}_towards_camera" for name, _ in SEGMENTS) + ("no_segment_towards_camera",)


def towards_camera_label(joints_cam: torch.Tensor, degrees: float = TOWARDS_DEGREES) -> list[str]:
    """For (B, 19, 3) COCO-19 joints in the camera frame (camera at the origin): the first segment
    (trunk, thighs, shins) within ``degrees`` of the line of sight through its middle, pointing towards
    the camera or away, as ``<segment>_towards_camera``; else ``no_segment_towards_camera``."""
    limit = float(np.cos(np.radians(degrees)))
    labels = ["no_segment_towards_camera"] * joints_cam.shape[0]
    for name, pairs in reversed(SEGMENTS):  # the first segment in SEGMENTS wins
        for a, b in pairs:
            direction = torch.nn.functional.normalize(joints_cam[:, b] - joints_cam[:, a], dim=-1)
            sight = torch.nn.functional.normalize((joints_cam[:, a] + joints_cam[:, b]) / 2, dim=-1)
            along = (direction * sight).sum(-1).abs() > limit
            for i in torch.nonzero(along).flatten().tolist():
                labels[i] = f"{name}_towards_camera"
    return labels


def posture_label(skeleton: Skeleton, rotations: torch.Tensor) -> list[str]:
    """Posture of each pose (B, K, 3, 3) from its geometry: 'sit_or_squat' (both knees bent over 60
    degrees and both thighs raised over 45 degrees from hanging), 'bend_forward' (trunk over 35
    degrees from vertical, not sitting), 'upright' (trunk within 20 degrees, knees under 30), else 'other'."""
    J = skeleton.joint_positions(rotations.float())
    i = skeleton.index

    def angle(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        cos = (torch.nn.functional.normalize(u, dim=-1) * torch.nn.functional.normalize(v, dim=-1)).sum(-1)
        return torch.rad2deg(torch.acos(cos.clamp(-1, 1)))

    up = torch.tensor([0.0, 1.0, 0.0])
    trunk = angle(J[:, i("Neck")] - J[:, i("Hips")], up)
    knees, thighs = [], []
    for side in ("Left", "Right"):
        thigh = J[:, i(f"{side}Leg")] - J[:, i(f"{side}UpLeg")]
        shin = J[:, i(f"{side}Foot")] - J[:, i(f"{side}Leg")]
        knees.append(angle(thigh, shin))
        # thigh raise measured against the trunk's own downward direction (sitting while leaning counts)
        thighs.append(angle(thigh, J[:, i("Hips")] - J[:, i("Neck")]))
    knee, thigh = torch.minimum(*knees), torch.minimum(*thighs)
    labels = []
    for k, t, tr, kmax in zip(knee, thigh, trunk, torch.maximum(*knees)):
        if k > 60 and t > 45:
            labels.append("sit_or_squat")
        elif tr > 35:
            labels.append("bend_forward")
        elif tr < 20 and kmax < 30:
            labels.append("upright")
        else:
            labels.append("other")
    return labels


class _Sums:
    """Per-group sums of per-example metrics."""

    def __init__(self) -> None:
        self.sums: dict[str, dict[str, float]] = {}
        self.counts: dict[str, int] = {}

    def add(self, group: str, values: dict[str, torch.Tensor]) -> None:
        s = self.sums.setdefault(group, {})
        for k, v in values.items():
            s[k] = s.get(k, 0.0) + float(v.float().sum())

    def count(self, group: str, n: int) -> None:
        self.counts[group] = self.counts.get(group, 0) + n

    def means(self) -> dict[str, dict[str, float]]:
        return {g: {"examples": self.counts[g], **{k: v / self.counts[g] for k, v in s.items()}}
                for g, s in self.sums.items()}


class ProbeRunner:
    """Runs the probes for one checkpoint (``gtrs evaluate --probes``)."""

    def __init__(self, checkpoint: str | Path, data: str | Path, stage: str = "network") -> None:
        self.checkpoint, self.data = str(checkpoint), data
        self.model, _ = load_model(checkpoint)
        self.body = AnnyBody()
        self.predict = staged_predictor(lambda keypoints, batch: self.model(keypoints)[0], self.body, stage)
        self.edges = mesh_edges(self.body.faces)
        self.template_lengths = edge_lengths(self.body.template()[None], self.edges)[0]

    @torch.no_grad()
    def _batch_metrics(self, batch: dict, g: torch.Generator) -> dict[str, dict[str, torch.Tensor]]:
        gt_pose, gt_h36m = targets(batch, "coco19")
        B = gt_pose.shape[0]
        out = {}
        for kind in ("exact", "noisy"):
            keypoints = network_inputs(batch, "coco19", torch.full((B,), kind == "noisy"), g)
            vertices = self.predict(keypoints, batch)
            pred_h36m = self.body.regress_joints(vertices, "h36m17")
            m = mesh_metrics(vertices, batch["vertices"], pred_h36m, gt_h36m)
            distorted = distorted_edge_share(vertices, self.template_lengths, self.edges)
            m["torn_pct"] = 100.0 * (distorted > TORN_SHARE)
            m["distorted_edges_pct"] = 100.0 * distorted
            m["visible_joints"] = (keypoints[..., 2] > 0).sum(-1)
            out[kind] = m
        return out

    def postures(self, batch_size: int = 64, seed: int = 0, show_progress: bool = True) -> dict:
        """Every frame of the probe split once, in order, per posture label; then every frame of the
        test split's HDM05 clips per motion class (rows ``hdm05_<class>``), when there are any."""
        rotations = load_split_rotations(self.data, PROBE)
        labels = posture_label(Skeleton.from_body(self.body), rotations)
        hdm05 = [(c, r) for c, r in load_split_clips(self.data, "test") if hdm05_motion_class(c)]
        if hdm05:
            rotations = torch.cat([rotations] + [r for _, r in hdm05])
            labels = labels + [f"hdm05_{hdm05_motion_class(c)}" for c, r in hdm05 for _ in range(len(r))]
        sums, g = _Sums(), torch.Generator().manual_seed(seed)
        starts = range(0, len(rotations), batch_size)
        for start in tqdm(starts, desc="probe[postures]", unit="batch", disable=not show_progress):
            chunk = rotations[start:start + batch_size]
            metrics = self._batch_metrics(synthesize_batch(self.body, chunk, g, SynthConfig()), g)
            chunk_labels = labels[start:start + batch_size]
            for group in set(chunk_labels) | {"all"}:
                # 'all' is the posture-probe clips' frames, as before HDM05 joined
                rows = torch.tensor([lab == group or (group == "all" and not lab.startswith("hdm05_"))
                                     for lab in chunk_labels])
                if not rows.any():
                    continue
                for kind, m in metrics.items():
                    sums.add(group, {f"{kind}/{k}": v[rows] for k, v in m.items()})
                sums.count(group, int(rows.sum()))
        means = sums.means()
        order = ["all", *POSTURES] + sorted(k for k in means if k.startswith("hdm05_"))
        return {k: means[k] for k in order if k in means}

    def ambiguity(self, batches: int = 10, batch_size: int = 64, seed: int = 0, show_progress: bool = True) -> dict:
        """Frames of the probe and test splits seen from the front and above, up to ``batches x
        batch_size / 4`` examples per group of ``towards_camera_label`` (views are drawn until each
        group is full, or 20x as many as asked were drawn), plus ``all``."""
        rotations = torch.cat([load_split_rotations(self.data, PROBE), load_split_rotations(self.data, "test")])
        g = torch.Generator().manual_seed(seed)
        cfg = SynthConfig(camera=AMBIGUITY_CAMERA)
        quota = max(1, batches * batch_size // len(AMBIGUITY_GROUPS))
        kept: dict[str, list[dict]] = {name: [] for name in AMBIGUITY_GROUPS}
        counts = dict.fromkeys(AMBIGUITY_GROUPS, 0)
        for _ in range(20 * batches):
            if min(counts.values()) >= quota:
                break
            poses = rotations[torch.randint(0, len(rotations), (batch_size,), generator=g)].clone()
            batch = synthesize_batch(self.body, poses, g, cfg)  # any heading: bodies seen from behind are dropped
            joints_cam = batch["joints3d"] + batch["root_cam"][:, None]
            labels = towards_camera_label(joints_cam)
            facing = _facing_camera(joints_cam)
            for name in AMBIGUITY_GROUPS:
                rows = torch.nonzero(torch.tensor([lab == name for lab in labels]) & facing).flatten()
                rows = rows[:quota - counts[name]]
                if len(rows):
                    kept[name].append(_select_rows(batch, rows))
                    counts[name] += len(rows)
        sums = _Sums()
        for name in tqdm(AMBIGUITY_GROUPS, desc="probe[ambiguity]", disable=not show_progress):
            if not kept[name]:
                continue
            examples = _concat_rows(kept[name])
            for start in range(0, len(examples["focal"]), batch_size):
                chunk = _select_rows(examples, torch.arange(start, min(start + batch_size, len(examples["focal"]))))
                for kind, m in self._batch_metrics(chunk, g).items():
                    for group in (name, "all"):
                        sums.add(group, {f"{kind}/{k}": v for k, v in m.items()})
                for group in (name, "all"):
                    sums.count(group, len(chunk["focal"]))
        means = sums.means()
        return {k: means[k] for k in ("all", *AMBIGUITY_GROUPS) if k in means}

    def visibility(self, batches: int = 10, batch_size: int = 64, seed: int = 0, show_progress: bool = True) -> dict:
        """The test split under each visibility probe (same fixed-seed poses for every probe)."""
        rotations = load_split_rotations(self.data, "test")
        sums = _Sums()
        for name, (cfg, level) in tqdm(VISIBILITY_PROBES.items(), desc="probe[visibility]", disable=not show_progress):
            g = torch.Generator().manual_seed(seed)
            for _ in range(batches):
                index = torch.randint(0, len(rotations), (batch_size,), generator=g)
                cut = None if level is None else torch.full((batch_size,), level)
                batch = synthesize_batch(self.body, rotations[index], g, cfg, cut_level=cut)
                for kind, m in self._batch_metrics(batch, g).items():
                    sums.add(name, {f"{kind}/{k}": v for k, v in m.items()})
                sums.count(name, batch_size)
        return sums.means()


def _select_rows(batch: dict, rows: torch.Tensor) -> dict:
    """The examples ``rows`` of a synthesized batch (every per-example tensor indexed)."""
    return {k: v[rows.to(v.device)] for k, v in batch.items()}


def _concat_rows(parts: list[dict]) -> dict:
    return {k: torch.cat([p[k] for p in parts]) for k in parts[0]}


def _facing_camera(joints_cam: torch.Tensor) -> torch.Tensor:
    """(B,) whether the body's front (its right-to-left hip vector turned about the vertical) faces the
    camera: the front half of the circle of views."""
    left_to_right = joints_cam[:, 12] - joints_cam[:, 11]  # COCO-19: 11 left hip, 12 right hip
    up = joints_cam[:, 18] - joints_cam[:, 17]  # pelvis -> neck
    front = torch.cross(up, left_to_right, dim=-1)  # OpenCV axes: (0, -1, 0) x (-1, 0, 0) = -z for a body facing us
    towards_camera = -joints_cam[:, 17]
    return (front * towards_camera).sum(-1) > 0


def photo_probe(reconstructor, annotations: str | Path, subsets: int = 20, seed: int = 0, stage: str = "network") -> dict:
    """Torn-mesh rate on human COCO keypoints of real photos (a COCO annotations JSON): each person
    whole, and ``subsets`` variants per person with only 4-8 visible joints (upper body, one side,
    random). Returns counts and rates per variant."""
    data = json.loads(Path(annotations).read_text())
    people = [np.asarray(a["keypoints"], dtype=np.float64).reshape(17, 3) for a in data["annotations"]
              if a.get("num_keypoints", 0) >= 4]
    rng = np.random.default_rng(seed)
    variants: dict[str, list[np.ndarray]] = {"whole": [], "upper_body": [], "one_side": [], "random_4_8": []}
    for kp in people:
        kp = kp.copy()
        kp[:, 2] = (kp[:, 2] > 0).astype(np.float64)
        variants["whole"].append(kp)
        seen = np.flatnonzero(kp[:, 2] > 0)
        for _ in range(subsets):
            for name, allowed in (("upper_body", np.arange(0, 11)), ("one_side", np.array([0, 1, 3, 5, 7, 9, 11, 13, 15])),
                                  ("random_4_8", seen)):
                pool = np.intersect1d(seen, allowed)
                k = min(len(pool), int(rng.integers(4, 9)))
                if k < 4:
                    continue
                keep = rng.choice(pool, size=k, replace=False)
                v = kp.copy()
                v[np.setdiff1d(np.arange(17), keep), 2] = 0.0
                variants[name].append(v)
    fitter = MeshFitter(reconstructor.body) if stage != "network" else None
    edges = mesh_edges(reconstructor.body.faces)
    lengths = edge_lengths(reconstructor.body.template()[None], edges)[0]
    out = {}
    for name, kps in variants.items():
        if not kps:
            continue
        vertices, _, _ = reconstructor.predict_root_relative(to_coco19(np.stack(kps), "coco17"))
        if stage != "network":  # no camera is known here: the 2D refinement is left out
            vertices = fitter(torch.as_tensor(vertices, dtype=torch.float32)).vertices
        distorted = distorted_edge_share(torch.as_tensor(vertices, dtype=torch.float32), lengths, edges)
        torn = distorted > TORN_SHARE
        out[name] = {"people": len(kps), "torn": int(torn.sum()), "torn_pct": 100.0 * float(torn.float().mean()),
                     "distorted_edges_pct": 100.0 * float(distorted.mean())}
    return out


def probes_markdown(result: dict) -> str:
    """The probe tables as Markdown."""
    lines = [f"Probes of `{result['checkpoint']}` (mm; torn = share of meshes with >1% of edges "
             "stretched or shrunk over 3x).", ""]
    for section in ("postures", "ambiguity", "visibility"):
        if section not in result:
            continue
        cols = ("mpjpe", "pa_mpjpe", "mpvpe", "torn_pct", "distorted_edges_pct")
        heads = ("MPJPE", "PA-MPJPE", "MPVPE", "torn %", "edges >3x %")
        lines += [f"## {section}", "", "| probe | examples | visible joints | " + " | ".join(
            f"{k} {h}" for k in ("exact", "noisy") for h in heads) + " |", "|---" * (3 + 2 * len(cols)) + "|"]
        for name, m in result[section].items():
            lines.append(f"| {name} | {m['examples']} | {m['exact/visible_joints']:.1f} | " + " | ".join(
                f"{m[f'{k}/{x}']:.1f}" if x != "distorted_edges_pct" else f"{m[f'{k}/{x}']:.2f}"
                for k in ("exact", "noisy") for x in cols) + " |")
        lines.append("")
    if "photos" in result:
        lines += ["## photos (human COCO keypoints)", "", "| variant | people | torn | torn % | edges >3x % |",
                  "|---|---|---|---|---|"]
        for name, m in result["photos"].items():
            lines.append(f"| {name} | {m['people']} | {m['torn']} | {m['torn_pct']:.1f} | {m['distorted_edges_pct']:.2f} |")
        lines.append("")
    return "\n".join(lines)
