"""``gtrs predict``: keypoint files (or a folder of them) -> meshes, joints and pictures per person."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gtrs.atomic import atomic_path
from gtrs.fit.shape_hints import ShapeHints
from gtrs.readers.detector import IMAGE_SUFFIXES, PoseDetector, load_image
from gtrs.readers.keypoints import (
    KeypointFileError,
    Person,
    ReadResult,
    read_keypoints_in_chunks,
)
from gtrs.infer.journal import PeopleJournal, journal_path, remove_stale_temporaries
from gtrs.infer.predictor import Reconstructor
from gtrs.writers.results import ANGLES_FORMAT, OUTPUT_FORMATS, MeshResult, PeopleJsonWriter


@dataclass
class PredictSummary:
    written: list[Path] = field(default_factory=list)
    people: int = 0
    resumed: int = 0  # of ``people``: finished by an earlier, interrupted run (its journal)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


INPUT_SUFFIXES = (".json", ".npy", ".txt") + IMAGE_SUFFIXES
CHUNK = 64  # people per network call


def input_files(path: Path, notes: list[str] | None = None) -> list[Path]:
    """The inputs of a file or a folder. In a folder, a photo that a keypoint file beside it describes is
    that file's picture, not an input: an image with the file's stem (YOLO labels, overlays; OpenPose's
    ``NAME_keypoints.json`` for ``NAME.jpg``), or one the file's records name (COCO annotations). Its
    people come from the keypoints, not from the detector as well; the second kind is said in ``notes``."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)
        keypoint_files = [p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
        pictures = {p.stem for p in keypoint_files} | {p.stem.removesuffix("_keypoints") for p in keypoint_files}
        photos = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES and p.stem not in pictures]
        named = images_named_in(keypoint_files, set(photos)) if photos else {}
        for source in sorted(set(named.values())) if notes is not None else ():
            described = sorted(photo.name for photo, by in named.items() if by == source)
            listed = ", ".join(described[:3]) + (f" and {len(described) - 3} more" if len(described) > 3 else "")
            notes.append(f"{source}: the people of {listed} are read from this file, not detected")
        files = sorted(p for p in keypoint_files + photos if p not in named)
        if not files:
            raise KeypointFileError(f"{path}: no keypoint files (.json, .npy) or images in this folder")
        return files
    if not path.exists():
        raise KeypointFileError(f"{path}: no such file or folder")
    return [path]


def images_named_in(keypoint_files: list[Path], photos: set[Path]) -> dict[Path, Path]:
    """Which of ``photos`` the records of JSON ``keypoint_files`` name as their image (``image_beside``),
    with the first file naming each. A file that cannot be read names none (its read reports why)."""
    named: dict[Path, Path] = {}
    for source in keypoint_files:
        if source.suffix.lower() != ".json":  # .npy and .txt records carry no image name
            continue
        try:
            for read in read_keypoints_in_chunks(source, size=CHUNK):
                for person in read.people:
                    if person.image and (found := image_beside(source, person)) in photos:
                        named.setdefault(found, source)
        except (KeypointFileError, OSError):
            continue
    return named


def output_stems(files: list[Path]) -> dict[Path, str]:
    """Output name stem per input file: its stem, or stem_extension where two inputs share a stem
    (``a.json`` and ``a.npy`` -> ``a_json``, ``a_npy``), so outputs never collide."""
    stems = [f.stem for f in files]
    return {f: f"{f.stem}_{f.suffix.lstrip('.').lower()}" if stems.count(f.stem) > 1 else f.stem for f in files}



def read_input(path: Path, joints: str | None, detector_box: list, person: int | None = None,
                render: bool = True, min_confidence: float | None = None) -> Iterator[tuple[ReadResult, object]]:
    """People of one input file in chunks of at most ``CHUNK``, each with its image: keypoints (read
    as they are needed: flat memory for any number of people), or a photo through the detector
    (every person found, largest first, or only the ``person``-th) with that photo. For a keypoint
    file, the image is a dict of the images found beside it by name (``image_beside``; looked for
    only when ``render``)."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        image = load_image(path)
        if not detector_box:
            detector_box.append(PoseDetector(min_visibility=min_confidence))
        found = detector_box[0].detect_all(image)
        if not found:
            raise KeypointFileError(f"{path}: the detector found no person")
        if person is not None:
            if person >= len(found):
                raise KeypointFileError(f"{path}: --person {person} asked, the detector found {len(found)} "
                                        f"(0 = the largest)")
            found = [found[person]]
        size = (image.shape[1], image.shape[0])
        people = [Person(source=f"{path}#person {k if person is None else person}", keypoints=kp, image=path.name,
                         image_size=size) for k, kp in enumerate(found)]
        for start in range(0, len(people), CHUNK):
            yield ReadResult(people=people[start:start + CHUNK]), image
        return
    images: dict[str, np.ndarray] = {}
    for read in read_keypoints_in_chunks(path, joints, CHUNK, min_confidence):
        yield read, _attach_images(path, read, images) if render else {}


def image_beside(path: Path, person: Person) -> Path | None:
    """The photo a keypoint file's person was detected in, when it lies beside the file: the image the
    record names (COCO annotations), else an image with the file's stem (``NAME_keypoints.json`` ->
    ``NAME.jpg``, as OpenPose names its output)."""
    names = [person.image] if person.image else []
    stem = path.stem.removesuffix("_keypoints")
    names += [stem + suffix for suffix in IMAGE_SUFFIXES] + [stem + suffix.upper() for suffix in IMAGE_SUFFIXES]
    return next((path.parent / n for n in names if (path.parent / n).is_file()), None)


def _attach_images(path: Path, read: ReadResult, images: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Images found beside a keypoint file, by name, added to ``images`` (shared by a file's chunks);
    people without an image size get theirs."""
    for person in read.people:
        found = image_beside(path, person)
        if found is None:
            continue
        if found.name not in images:
            try:
                images[found.name] = load_image(found)
            except KeypointFileError as e:
                read.notes.append(f"{e}; no overlay")
                continue
        person.image = found.name
        if person.image_size is None:
            h, w = images[found.name].shape[:2]
            person.image_size = (w, h)
    return images


def reconstruct_people(reconstructor: Reconstructor, people: list[Person], focal: float | None,
                 errors: list[str], **options) -> list[tuple[int, MeshResult]]:
    """(index in ``people``, result) for each person the network and camera solve can place; the
    others go to ``errors``."""
    try:
        results = reconstructor(np.stack([p.keypoints for p in people]), focal=focal,
                                image_size=[p.image_size for p in people], sources=[p.source for p in people], **options)
    except ValueError as e:
        if len(people) == 1:
            errors.append(str(e) if people[0].source in str(e) else f"{people[0].source}: {e}")
            return []
        # find the people a whole batch failed on
        return [(i, r) for i, person in enumerate(people)
                for _, r in reconstruct_people(reconstructor, [person], focal, errors, **options)]
    placed = []
    for i, (person, result) in enumerate(zip(people, results)):
        try:
            check_result(result, person.source)
        except ValueError as e:
            errors.append(str(e))
            continue
        result.image = person.image
        placed.append((i, result))
    return placed


def default_refine(path: Path, mesh: str) -> bool:
    """Whether a fitted body is refined to the keypoints when the user does not say: for photos, yes (a
    photo holds a few people, the refinement costs ~17 ms each, and it gains with a detector's keypoints
    too: 1.7-3.5 mm PA-MPJPE on the noisy probes, PCK@0.1 of the mesh's joints against human keypoints
    0.48 -> 0.63 on real photos; README, "Which refinement, by default"); for keypoint files, no (they
    can hold millions of people, and the fit alone runs ~2.7x faster)."""
    return mesh == "fit" and path.suffix.lower() in IMAGE_SUFFIXES


def predict(input: str | Path, out: str | Path, joints: str | None = None, focal: float | None = None,
            formats: tuple[str, ...] = OUTPUT_FORMATS, render: bool = True, reconstructor: Reconstructor | None = None,
            show_progress: bool = True, onnx: str | None = None, frame: str = "viewer",
            overwrite: bool = False, person: int | None = None, mesh: str = "fit",
            refine: bool | str | None = None, html: bool = False, device: str = "cpu", precision: str = "auto",
            min_confidence: float | None = None, hints: ShapeHints | None = None) -> PredictSummary:
    """Reconstruct every person of every keypoint file under ``input`` into ``out``.

    Per input ``NAME_people.json`` holds every person (``PEOPLE_SCHEMA``); per person, meshes in
    ``formats`` (none: JSON only) with ``NAME_k_joints.json``, and with ``render`` pictures; with
    ``angles`` in ``formats``, also ``NAME_angles.csv`` (every person's joint angles, a row each). The
    network runs on batches of people and results are written as they come, with a progress bar
    over people. ``mesh`` / ``refine``: see ``Reconstructor.__call__`` (the fitted body also gives
    ``params`` and ``bvh`` files and a skinned GLB); ``refine=None`` refines the fitted bodies of photos
    and not those of keypoint files (``default_refine``). A bad file or record is reported in
    ``PredictSummary.errors`` and skipped; the rest completes. Outputs that exist already are not replaced (reported) unless ``overwrite``.
    A run that was killed resumes (``gtrs.infer.journal``): its finished people are kept, the rest is
    computed, and the combined file holds every person once. An OSError (a full disk, a folder that
    cannot be written) stops the run with the people finished so far intact, ready to resume.
    With ``html``, ``out/index.html`` shows every body in 3D (``gtrs.viz.html_page``). Detector scores
    under ``min_confidence`` (default: per format, ``gtrs.readers.keypoints.MIN_SCORE``; photos 0.3) are misses.
    ``hints``: gender, age, height, weight held in every person's fitted body (``ShapeHints``).
    """
    from gtrs.viz.html_page import MAX_BODIES, write_results_page

    if render:  # matplotlib: half a second of start-up that a run without pictures need not pay
        from gtrs.viz.render import overlay_on_image, overlay_people_on_image, render_result_views

    out = Path(out)
    summary = PredictSummary()
    with_angles = ANGLES_FORMAT in formats
    formats = tuple(f for f in formats if f != ANGLES_FORMAT)  # the rest are files per person
    files = input_files(Path(input), summary.notes)
    stems = output_stems(files)
    detector: list = []
    page: list = []  # PageBody per person shown on the results page
    bar = tqdm(total=0, desc="predict", unit="person", disable=not show_progress)
    # Mesh files are written on a thread while the network runs on the next chunk (file writes and
    # numpy release the GIL); at most one chunk's writes are pending, so memory stays flat.
    saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gtrs-save")
    pending: list[tuple[Future | None, int, dict]] = []  # (files being written, person index, record)

    def journal_finished(journal: PeopleJournal, wait: bool = False) -> None:
        """Journal the people whose files are written: those done so far, or with ``wait`` all of them."""
        while pending and (wait or pending[0][0] is None or pending[0][0].done()):
            saved, index, record = pending.pop(0)
            if saved is not None:
                summary.written += saved.result()
            journal.finish(index, record)

    try:
        for path in files:
            chunks = read_input(path, joints, detector, person, render or html, min_confidence)
            try:
                first = next(chunks)
            except KeypointFileError as e:
                summary.errors.append(str(e))
                continue
            people_json = out / f"{stems[path]}_people.json"
            if people_json.exists() and not overwrite:
                journal_path(people_json).unlink(missing_ok=True)  # a run killed after publishing: it was done
                summary.errors.append(f"{path}: {people_json} exists; pass --overwrite to replace it")
                continue
            if reconstructor is None:  # loaded only once some input is known to be usable
                reconstructor = Reconstructor.pretrained(device=device, onnx_path=onnx, precision=precision)
            out.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(out, stems[path])
            journal = PeopleJournal(journal_path(people_json), fresh=overwrite)
            writer = PeopleJsonWriter(people_json, str(path), frame, angles=with_angles)
            start = 0  # the file's people so far: person k of a file is NAME_k
            group: list = []  # (k, result) of a photo's people, for NAME_people_overlay.png
            try:
                try:
                    for read, image in chain([first], chunks):
                        summary.errors.extend(read.errors)
                        summary.notes.extend(n for n in read.notes if n not in summary.notes)
                        if not read.people:
                            continue
                        chunk = read.people
                        bar.total += len(chunk)
                        bar.refresh()
                        # people the killed run finished are not computed again, except for the results page
                        # and a photo's overlay of everyone (which need their meshes): there they are
                        # recomputed and shown, their files kept
                        room = MAX_BODIES - len(page) if html else 0
                        whole_photo = render and isinstance(image, np.ndarray)
                        todo = [i for i in range(len(chunk))
                                if start + i not in journal.done or whole_photo or (room := room - 1) >= 0]
                        placed = dict((todo[j], r) for j, r in reconstruct_people(
                            reconstructor, [chunk[i] for i in todo], focal, summary.errors, mesh=mesh,
                            refine=default_refine(path, mesh) if refine is None else refine,
                            hints=hints)) \
                            if todo else {}
                        journal_finished(journal, wait=True)
                        bar.update(len(chunk))
                        for i in range(len(chunk)):
                            if start + i in journal.done:  # finished by the run that was killed
                                writer.add(journal.done[start + i])
                                summary.people += 1
                                summary.resumed += 1
                                if whole_photo and i in placed:
                                    group.append((start + i, placed[i]))
                                if html and i in placed and len(page) < MAX_BODIES:
                                    who = chunk[i]
                                    picture = image.get(who.image) if isinstance(image, dict) else image
                                    overlay = out / f"{stems[path]}_{start + i}_overlay.png"
                                    page.append(placed[i].page_body(f"{stems[path]}_{start + i}", picture,
                                                                    overlay if overlay.is_file() else None,
                                                                    who.image_size))
                                continue
                            if i not in placed:
                                continue
                            result, who = placed[i], chunk[i]
                            stem = f"{stems[path]}_{start + i}"
                            saving = None
                            if formats:
                                targets = [out / (f"{stem}_params.json" if fmt == "params" else f"{stem}.{fmt}")
                                           for fmt in formats] + [out / f"{stem}_joints.json"]
                                existing = [t.name for t in targets if t.exists()]
                                # files of a person the killed run did not finish are its own: replaced
                                if existing and not overwrite and not journal.resumed:
                                    summary.errors.append(f"{who.source}: {out / existing[0]} exists; pass --overwrite to replace it")
                                    continue
                                saving = saver.submit(result.save, out, stem, formats, frame)
                            record = result.record(frame)
                            writer.add(record)
                            overlay_png = None
                            picture = image.get(who.image) if isinstance(image, dict) else image
                            if render:
                                png = out / f"{stem}_views.png"
                                with atomic_path(png) as tmp:
                                    render_result_views(result.vertices, result.faces, str(tmp), title=who.source.split("/")[-1])
                                summary.written.append(png)
                                if picture is not None:
                                    png = out / f"{stem}_overlay.png"
                                    with atomic_path(png) as tmp:
                                        overlay_on_image(picture, result.vertices, result.faces, result.focal, result.principal,
                                                         str(tmp))
                                    summary.written.append(png)
                                    overlay_png = png
                            pending.append((saving, start + i, record))
                            if whole_photo:
                                group.append((start + i, result))
                            if html and len(page) < MAX_BODIES:
                                page.append(result.page_body(stem, picture, overlay_png, who.image_size))
                            summary.people += 1
                        journal_finished(journal)
                        start += len(chunk)
                except KeypointFileError as e:  # a file that breaks off part-way: the people before the break are kept
                    summary.errors.append(str(e))
                if len(group) > 1:  # everyone found in a photo, each in their own colour and numbered
                    png = out / f"{stems[path]}_people_overlay.png"
                    with atomic_path(png) as tmp:
                        overlay_people_on_image(image, [(r.vertices, r.focal, r.principal) for _, r in group],
                                                group[0][1].faces, str(tmp), labels=[str(k) for k, _ in group])
                    summary.written.append(png)
                journal_finished(journal, wait=True)
            except BaseException:  # an OSError (full disk, permissions) or an interrupt: finished people stay journaled
                for saving, _, _ in pending:
                    if saving is not None:
                        saving.cancel()
                pending.clear()
                journal.close(remove=False)
                writer.close(keep=False)
                raise
            writer.close(keep=writer.count > 0)
            journal.close(remove=True)
            if writer.count:
                summary.written += writer.paths
    finally:  # also on an error: the progress bar ends its line before the error's, the writer thread stops
        saver.shutdown()
        bar.close()
        for d in detector:
            d.close()
    if summary.people == 0:
        raise KeypointFileError("no person could be reconstructed: " + ("; ".join(summary.errors[:3]) or "no input"))
    if html:
        summary.written.append(write_results_page(out / "index.html", page, f"gtrs: {Path(input).name}", summary.people))
    return summary


def check_result(result, source: str) -> None:
    """Refuse (ValueError) a result that must not be written: non-finite numbers, or a body that
    is not in front of the camera."""
    for name in ("vertices", "joints", "translation"):
        if not np.isfinite(getattr(result, name)).all():
            raise ValueError(f"{source}: the reconstruction is not finite ({name}); nothing written")
    if result.translation[2] <= 0 or (result.vertices[:, 2] <= 0).any():
        raise ValueError(f"{source}: the solved camera puts the body behind the camera (focal {result.focal:g} px); "
                         "nothing written")
