"""``gtrs predict-sequence``: a video or keypoint sequence -> one animated body per tracked person.

Per track (``gtrs.infer.tracking``; gaps up to ``max_gap`` frames are bridged by interpolating the
keypoints): the keypoints and the network's meshes are smoothed over time, one body shape is fitted
for the track and its pose per frame (``gtrs.fit.sequence``), each frame is placed in front of the
camera (closed-form translation, one focal length for the whole sequence), and written as

- ``NAME_trackK.bvh``: the rig's skeleton, one BVH frame per video frame, ``Frame Time`` = 1 / fps;
- ``NAME_trackK.glb``: the body as a skinned glTF with the motion as an animation;
- ``NAME_trackK_params.npz``: per frame the bone rotations, root position, keypoints used, whether the
  person was detected in that frame, and the shape, fps, focal length and principal point;
- ``NAME_trackK_angles.csv``: per frame the joint angles (knees, hips, elbows, shoulders, the trunk's
  lean; ``gtrs.body.joint_angles``) in degrees;
- on request (``mp4``, video input), ``NAME_overlay.mp4``: every track's body drawn over the video;
- with ``html``, ``index.html``: every track's animated body to turn around and play, beside its
  keypoints (``gtrs.viz.html_page``).

Everything is in viewer axes (+Y up, facing +Z) unless ``frame='camera'``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.body.anny import PHENOTYPE_NAMES
from gtrs.body.joint_angles import joint_angles
from gtrs.body.mesh_normals import vertex_normals
from gtrs.fit.camera import default_focal
from gtrs.fit.keypoints import solve_translation
from gtrs.fit.sequence import SmoothingConfig, fit_sequence
from gtrs.fit.shape_hints import ShapeHints
from gtrs.writers.frames import frame_matrix
from gtrs.readers.keypoints import KeypointFileError
from gtrs.infer.journal import PeopleJournal, remove_stale_temporaries
from gtrs.infer.predictor import Reconstructor
from gtrs.readers.sequences import VIDEO_SUFFIXES, read_sequence
from gtrs.writers.angles_csv import write_angles_csv
from gtrs.writers.skinned_glb import write_skinned_glb
from gtrs.infer.tracking import track_people
from gtrs.mocap.bvh_writer import write_bvh

# angles: NAME_trackK_angles.csv (gtrs.body.joint_angles per frame); mp4: the bodies over the video (video input only)
SEQUENCE_FORMATS = ("bvh", "glb", "params", "angles", "mp4")


@dataclass
class SequenceSummary:
    written: list[Path] = field(default_factory=list)
    tracks: int = 0
    frames: int = 0
    resumed: int = 0  # of ``tracks``: finished by an earlier, interrupted run (its journal)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def predict_sequence(input: str | Path, out: str | Path, joints: str | None = None, fps: float | None = None,
                     focal: float | None = None, smoothing: SmoothingConfig = SmoothingConfig(),
                     formats: tuple[str, ...] = SEQUENCE_FORMATS, frame: str = "viewer", min_frames: int = 5,
                     max_gap: int = 10, reconstructor: Reconstructor | None = None, show_progress: bool = True,
                     overwrite: bool = False, html: bool = False, device: str = "cpu",
                     precision: str = "auto", min_confidence: float | None = None,
                     hints: ShapeHints | None = None, pose_detector: str = "solution") -> SequenceSummary:
    """Reconstruct every tracked person of one sequence into ``out`` (see the module docstring);
    ``device`` / ``precision`` as for ``Reconstructor`` when none is given; ``pose_detector`` for videos
    ('solution': the one person MediaPipe follows; 'topdown': everyone, tracked)."""
    out = Path(out)
    seq = read_sequence(input, joints, fps, min_confidence, pose_detector)
    summary = SequenceSummary(errors=list(seq.errors), notes=list(seq.notes))
    tracks = [t for t in track_people(seq.frames, max_gap=max_gap) if len(t.frames) >= min_frames]
    if not tracks:
        raise KeypointFileError(f"{input}: no person tracked over at least {min_frames} frames "
                                f"({sum(map(len, seq.frames))} detections in {len(seq.frames)} frames)")
    reconstructor = reconstructor or Reconstructor.pretrained(device=device, precision=precision)
    body = reconstructor.body
    network = lambda kp: reconstructor.run_network(kp)[0]  # noqa: E731
    name = Path(input).stem if Path(input).is_file() else Path(input).name
    turn = frame_matrix(frame)
    weights = body.skin_weights().numpy()
    overlay: dict[int, list] = {}
    page = []
    # A killed run resumes (gtrs.infer.journal): tracks whose files were all written are kept, the
    # files of the track the kill cut off are replaced.
    remove_stale_temporaries(out, name)
    journal = PeopleJournal(out / f".{name}_tracks.journal", fresh=overwrite)
    for k, track in enumerate(tqdm(tracks, desc="tracks", unit="track", disable=not show_progress)):
        stem = f"{name}_track{k}"
        named = {"params": f"{stem}_params.npz", "angles": f"{stem}_angles.csv"}
        targets = {f: out / named.get(f, f"{stem}.{f}") for f in formats if f != "mp4"}
        if k in journal.done:
            summary.tracks += 1
            summary.resumed += 1
            continue
        existing = [p for p in targets.values() if p.exists()]
        if existing and not overwrite and not journal.resumed:
            summary.errors.append(f"{input}: {existing[0]} exists; pass --overwrite to replace it")
            continue
        keypoints, detected = track.dense()
        fit = fit_sequence(network, body, keypoints, seq.fps, smoothing, fitter=reconstructor.fitter, hints=hints)
        T = len(keypoints)
        seen = keypoints[keypoints[..., 2] > 0, :2]
        f = focal or default_focal(seq.image_size, np.concatenate([seen, np.ones((len(seen), 1))], 1))
        c = (np.array(seq.image_size, dtype=np.float64) / 2 if seq.image_size is not None
             else 0.5 * (seen.min(0) + seen.max(0)))
        joints19 = body.regress_joints(fit.vertices, "coco19")
        pelvis = joints19[:, 17:18]
        t = solve_translation((joints19 - pelvis).double(), torch.as_tensor(fit.keypoints),
                              torch.full((T,), f, dtype=torch.float64), torch.as_tensor(c).expand(T, 2))
        root = (fit.root - pelvis[:, 0]).double() + t  # the root bone's head, camera frame
        rotations = fit.rotations.double().numpy().copy()
        rotations[:, 0] = turn @ rotations[:, 0]
        root = root.numpy() @ turn.T
        rest = body(None, fit.shape[None], None)
        rest_heads, rest_vertices = rest.bone_heads[0].numpy(), rest.vertices[0].numpy()
        out.mkdir(parents=True, exist_ok=True)
        if "bvh" in formats:
            summary.written.append(write_bvh(targets["bvh"], body.bone_names, body.bone_parents, rest_heads, rotations,
                                             root, frame_time=1.0 / seq.fps))
        if "glb" in formats or html:
            normals = vertex_normals(rest_vertices, body.faces.numpy())
            glb = targets.get("glb", out / f".{stem}.page.glb")  # the page's copy only, when no GLB is asked for
            write_skinned_glb(glb, rest_vertices, body.faces.numpy(), normals, weights, body.bone_names,
                              body.bone_parents, rest_heads, rotations, root, fps=seq.fps)
            if html:
                from gtrs.viz.html_page import PageSequence

                size = seq.image_size or tuple(int(np.ceil(x)) for x in 2 * c)
                page.append(PageSequence(stem, glb.read_bytes(), fit.keypoints, seq.fps, root, size,
                                         meta=f"{T} frames at {seq.fps:g} fps"))
            if "glb" in formats:
                summary.written.append(glb)
            else:
                glb.unlink()
        if "params" in formats:
            with atomic_path(targets["params"]) as tmp:
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, rotations=rotations, root=root, shape=fit.shape.numpy(),
                                        shape_names=np.array(PHENOTYPE_NAMES), bone_names=np.array(body.bone_names),
                                        bone_parents=np.array(body.bone_parents), rest_bone_heads=rest_heads,
                                        keypoints=fit.keypoints, detected=detected,
                                        frames=np.arange(track.frames[0], track.frames[-1] + 1), fps=seq.fps,
                                        focal_px=f, principal_px=c, frame=frame)
            summary.written.append(targets["params"])
        if "angles" in formats:
            summary.written.append(write_angles_csv(targets["angles"], joint_angles(joints19.double().numpy()),
                                                    np.arange(track.frames[0], track.frames[-1] + 1), seq.fps, detected))
        if "mp4" in formats:
            placed = (fit.vertices - pelvis).double() + t[:, None]  # camera frame
            for i, index in enumerate(range(track.frames[0], track.frames[-1] + 1)):
                overlay.setdefault(index, []).append((placed[i].float().numpy(), f, c, k))
        summary.tracks += 1
        summary.frames += T
        journal.finish(k, {"stem": stem, "frames": T})
    journal.close(remove=True)
    if summary.resumed:
        summary.notes.append(f"{input}: {summary.resumed} tracks were finished by the interrupted run before; "
                             "the results page and the mp4 overlay show only the tracks computed now")
    if html and page:
        from gtrs.viz.html_page import write_results_page

        summary.written.append(write_results_page(out / "index.html", page, f"gtrs: {name}"))
    if "mp4" in formats:
        if Path(input).suffix.lower() not in VIDEO_SUFFIXES:
            summary.notes.append(f"{input}: mp4 overlay needs a video input; none written")
        else:
            from gtrs.viz.video_overlay import write_overlay_video

            summary.written.append(write_overlay_video(input, out / f"{name}_overlay.mp4", overlay, body.faces.numpy(),
                                                       seq.fps, show_progress))
    return summary
