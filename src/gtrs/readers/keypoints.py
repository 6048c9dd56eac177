"""Keypoint readers -> COCO-19 people: COCO results and annotation JSON, OpenPose JSON, MMPose /
RTMPose inferencer JSON (image form: a list of instances with ``keypoints`` and ``keypoint_scores``;
video form: a list of ``{frame_id, instances}``), YOLO-pose ``.txt`` (normalised, with the image beside
it), and NumPy arrays. Layouts: COCO-17/19, OpenPose BODY_25/COCO-18, BlazePose-33, Halpe-26,
COCO-WholeBody-133 (its body part), Human3.6M-17. A layout read from the joint count alone when two
layouts share it (17: COCO-17 or Human3.6M-17) is said in ``ReadResult.notes``.

Every reader returns ``Person`` records with COCO-19 keypoints (19, 3) (x, y, confidence) in pixels.
Bad input raises ``KeypointFileError`` naming the file and the record; in a multi-person file a bad
record is reported in ``ReadResult.errors`` and skipped, and the others are kept. Nothing else
escapes a reader: wrong types, huge numbers, non-UTF-8 bytes, deep nesting, odd arrays all become a
``KeypointFileError``. Keypoints must be finite, within ``MAX_COORDINATE`` pixels, and span at least
``MIN_SPAN_PX`` (a person squeezed into a point is no person).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gtrs.body.joints import COCO19
from gtrs.body.keypoint_formats import SOURCE_LAYOUTS, to_coco19
from gtrs.readers.json_stream import JsonArrayError, iter_json_array

# Joint counts that identify a layout when --joints is not given (17 is read as COCO, not H36M).
LAYOUT_BY_COUNT = {17: "coco17", 19: "coco19", 25: "openpose25", 18: "openpose18", 33: "blazepose33", 26: "halpe26",
                   133: "wholebody133"}
AMBIGUOUS_COUNTS = {17: "h36m17"}  # count -> the other layout it could be
MAX_COORDINATE = 1e6  # pixels; larger is a unit or parsing mistake, not an image
MIN_SPAN_PX = 2.0  # the visible keypoints' extent, pixels
# Plausibility (check_plausible_person). Measured on the human COCO keypoints of ../shared/images
# (coco_eval and the two annotated photos, 58 people with 4+ joints): the farthest joint lies at most
# 8.4x the body's size from the others' centre, and the thinnest person spreads across its main line
# by 4.6% of its length; the limits leave a 3x and a 9x margin.
OUTLIER_FACTOR = 25.0
# Detectors place every joint and score it; a joint scored below its format's threshold is a miss
# (confidence 0), as the detector's own tools treat it: MMPose/RTMPose draw keypoints above 0.3
# (its visualiser's kpt_thr), OpenPose above 0.05 (its render_threshold), Ultralytics YOLO-pose
# above 0.5; COCO results lists (any detector) take MMPose's 0.3; human flags (0/1/2) and NumPy
# arrays are kept as given. ``--min-confidence`` replaces all of them.
MIN_SCORE = {"mmpose": 0.3, "coco_results": 0.3, "openpose": 0.05, "yolo": 0.5, "annotations": 0.0, "numpy": 0.0}
MIN_LINE_SPREAD = 0.005


class KeypointFileError(ValueError):
    """Unusable keypoint input; the message names the file (and record)."""


@dataclass
class Person:
    source: str  # "file" or "file#record"
    keypoints: np.ndarray  # (19, 3) COCO-19, pixels
    image: str | None = None  # image file name, when the format gives one
    image_size: tuple[int, int] | None = None  # (width, height), when known


@dataclass
class ReadResult:
    people: list[Person] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. which layout a joint count was read as

    def note_layout(self, path: Path, count: int, layout: str) -> None:
        other = AMBIGUOUS_COUNTS.get(count)
        text = f"{path}: {count} joints read as {layout} (pass --joints {other} if they are in that order)"
        if other and layout == LAYOUT_BY_COUNT.get(count) and text not in self.notes:
            self.notes.append(text)


def _convert(values, layout: str | None, where: str, min_score: float = 0.0) -> tuple[np.ndarray, str]:
    """(COCO-19 keypoints (19, 3), the layout used) from one person's values; a joint scored under
    ``min_score`` is missing (confidence 0)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise KeypointFileError(f"{where}: keypoints must be numbers (a list of (x, y[, score]) values)") from None
    if arr.ndim == 1:
        if arr.size % 3 == 0 and (layout is None or arr.size == 3 * len(SOURCE_LAYOUTS[layout])):
            arr = arr.reshape(-1, 3)
        else:
            fits = LAYOUT_BY_COUNT.get(arr.size // 3) if arr.size % 3 == 0 else None
            hint = f"; {arr.size // 3} triples fit {fits}: pass --joints {fits}" if fits and fits != layout else ""
            raise KeypointFileError(f"{where}: expected a flat list of (x, y, score) triples"
                                    + (f" for {layout} ({3 * len(SOURCE_LAYOUTS[layout])} numbers)" if layout else "")
                                    + f", got {arr.size} numbers{hint}")
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise KeypointFileError(f"{where}: expected keypoints of shape (J, 2) or (J, 3), got {arr.shape}")
    layout = layout or LAYOUT_BY_COUNT.get(arr.shape[0])
    if layout is None:
        raise KeypointFileError(f"{where}: {arr.shape[0]} joints match no known layout "
                                f"({', '.join(f'{n}: {k}' for n, k in LAYOUT_BY_COUNT.items())}); pass --joints")
    if arr.shape[0] != len(SOURCE_LAYOUTS[layout]):
        raise KeypointFileError(f"{where}: layout {layout} has {len(SOURCE_LAYOUTS[layout])} joints, got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise KeypointFileError(f"{where}: keypoints contain NaN or inf")
    if arr.shape[1] == 3 and min_score > 0:
        arr = arr.copy()
        arr[arr[:, 2] < min_score, 2] = 0.0
    if np.abs(arr[arr[:, 2] > 0, :2] if arr.shape[1] == 3 else arr).max(initial=0.0) > MAX_COORDINATE:
        raise KeypointFileError(f"{where}: keypoint coordinates beyond {MAX_COORDINATE:.0e} pixels")
    coco19 = to_coco19(arr, layout)
    seen = coco19[:, 2] > 0
    if seen.sum() < 4:
        raise KeypointFileError(f"{where}: fewer than 4 joints have a positive confidence")
    span = np.ptp(coco19[seen, :2], axis=0).max()
    if span < MIN_SPAN_PX:
        raise KeypointFileError(f"{where}: the visible keypoints span {span:.2g} pixels; expected a person, "
                                f"at least {MIN_SPAN_PX:g} pixels across")
    check_plausible_person(coco19[seen, :2], [COCO19.names[j] for j in np.flatnonzero(seen)], where)
    return coco19, layout


def check_plausible_person(points: np.ndarray, names: list[str], where: str) -> None:
    """Refuse (one KeypointFileError) visible keypoints (N, 2) that cannot be one person: a joint
    more than ``OUTLIER_FACTOR`` times the body's size from the others' centre (the size: the median
    distance of the visible joints from their median point), or joints on one straight line
    (spread across the line under ``MIN_LINE_SPREAD`` of the spread along it)."""
    centre = np.median(points, axis=0)
    distance = np.linalg.norm(points - centre, axis=1)
    size = max(float(np.median(distance)), MIN_SPAN_PX / 2)
    worst = int(np.argmax(distance))
    if distance[worst] > OUTLIER_FACTOR * size:
        raise KeypointFileError(f"{where}: joint {names[worst]} at ({points[worst, 0]:.6g}, {points[worst, 1]:.6g}) "
                                f"lies {distance[worst] / size:.0f}x the body's size from the other joints "
                                f"(at most {OUTLIER_FACTOR:g}x); not a person")
    spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    if spread[1] < MIN_LINE_SPREAD * spread[0]:
        raise KeypointFileError(f"{where}: the {len(points)} visible joints lie on one straight line; not a person")


def read_keypoints(path: str | Path, joints: str | None = None, min_confidence: float | None = None) -> ReadResult:
    """Read one keypoint file (.json, .npy or YOLO .txt) whole; ``joints`` forces the layout (see
    ``SOURCE_LAYOUTS``); ``min_confidence`` replaces the formats' score thresholds (``MIN_SCORE``)."""
    whole = ReadResult()
    for part in read_keypoints_in_chunks(path, joints, size=None, min_confidence=min_confidence):
        whole.people += part.people
        whole.errors += part.errors
        whole.notes += [n for n in part.notes if n not in whole.notes]
    return whole


def read_keypoints_in_chunks(path: str | Path, joints: str | None = None, size: int | None = 64,
                             min_confidence: float | None = None) -> Iterator[ReadResult]:
    """Read one keypoint file as ``ReadResult`` chunks of at most ``size`` people (None: one chunk),
    each with the errors and notes of its records. A file whose top level is a JSON list (COCO
    results, MMPose) is decoded one record at a time, so memory stays flat however many people it
    holds; a file that breaks off part-way yields the people before the break, then raises. Joints
    scored under their format's threshold (``MIN_SCORE``, or ``min_confidence``) are missing."""
    path = Path(path)
    score = (lambda fmt: MIN_SCORE[fmt]) if min_confidence is None else (lambda fmt: min_confidence)  # noqa: E731
    if joints is not None and joints not in SOURCE_LAYOUTS:
        raise KeypointFileError(f"--joints {joints!r} is not one of {sorted(SOURCE_LAYOUTS)}")
    if not path.is_file():
        raise KeypointFileError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise KeypointFileError(f"{path}: the file is empty")
    if path.suffix in (".npy", ".txt"):
        whole = _read_numpy(path, joints, score("numpy")) if path.suffix == ".npy" else \
            _read_yolo(path, joints, score("yolo"))
        yield from _split(whole, size)
        return
    if path.suffix != ".json":
        raise KeypointFileError(f"{path}: expected a .json, .npy or .txt (YOLO-pose) keypoint file")
    if _first_character(path) == "[":
        yield from _in_chunks(path, _list_records(path, _json_list(path), joints, score), size)
        return
    data = _load_json(path)
    if isinstance(data, dict) and "annotations" in data:
        if not isinstance(data["annotations"], list) or not isinstance(data.get("images", []), list):
            raise KeypointFileError(f"{path}: 'annotations' and 'images' must be lists")
        images = {img.get("id"): img for img in data.get("images", [])
                  if isinstance(img, dict) and isinstance(img.get("id"), (int, str))}
        records = ((f"{path}#annotation {_label(a.get('id'), i) if isinstance(a, dict) else i}", a, "keypoints",
                    joints or "coco17", score("annotations")) for i, a in enumerate(data["annotations"]))
        yield from _in_chunks(path, records, size, images)
        return
    if isinstance(data, dict) and "people" in data:
        if not isinstance(data["people"], list):
            raise KeypointFileError(f"{path}: OpenPose 'people' must be a list, got {type(data['people']).__name__}")
        records = ((f"{path}#person {i}", p, "pose_keypoints_2d", joints, score("openpose"))
                   for i, p in enumerate(data["people"]))
        yield from _in_chunks(path, records, size)
        return
    raise KeypointFileError(f"{path}: unknown JSON layout; expected a COCO results list, a COCO annotation file "
                            "('annotations'), or OpenPose output ('people')")


def _list_records(path: Path, elements: Iterator, joints: str | None, score) -> Iterator[tuple]:
    """(where, record, key, layout, min score) for each person of a top-level JSON list: COCO results, MMPose
    instances (image form), or MMPose frames (``{frame_id, instances}``, video form)."""
    for i, element in enumerate(elements):
        if isinstance(element, dict) and "instances" in element:
            frame = _label(element.get("frame_id"), i)
            if not isinstance(element["instances"], list):  # one bad frame: reported, the rest is read
                yield (f"{path}#frame {frame}", KeypointFileError(
                    f"{path}#frame {frame}: 'instances' must be a list of people, got "
                    f"{type(element['instances']).__name__}; frame skipped"), "keypoints", joints, 0.0)
                continue
            for k, instance in enumerate(element["instances"]):
                yield f"{path}#frame {frame} instance {k}", _mmpose_record(instance), "keypoints", joints, score("mmpose")
        elif isinstance(element, dict) and "keypoint_scores" in element:
            yield f"{path}#instance {i}", _mmpose_record(element), "keypoints", joints, score("mmpose")
        else:
            yield f"{path}#{i}", element, "keypoints", joints or "coco17", score("coco_results")


def _split(whole: ReadResult, size: int | None) -> Iterator[ReadResult]:
    size = size or max(1, len(whole.people))
    for start in range(0, len(whole.people), size):
        first = start == 0
        yield ReadResult(whole.people[start:start + size], whole.errors if first else [], whole.notes if first else [])


def _first_character(path: Path) -> str:
    """The first character of a JSON file that is not whitespace (or a UTF-8 byte-order mark)."""
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return chr(head[0]) if head else ""


def _json_list(path: Path) -> Iterator[object]:
    """The elements of a file holding one JSON list, read as they are needed (``gtrs.readers.json_stream``)."""
    try:
        yield from iter_json_array(path)
    except JsonArrayError as e:
        raise KeypointFileError(f"{path}: {e}") from None


def _load_json(path: Path):
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise KeypointFileError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise KeypointFileError(f"{path}: not valid JSON (line {e.lineno}: {e.msg})") from None
    except RecursionError:
        raise KeypointFileError(f"{path}: JSON nested too deeply to be keypoints") from None
    except ValueError as e:  # e.g. an integer literal with thousands of digits
        raise KeypointFileError(f"{path}: not usable JSON ({e})") from None


def _mmpose_record(record):
    """An MMPose instance -> a record whose ``keypoints`` are (J, 3) with the scores as confidence."""
    if not isinstance(record, dict) or "keypoints" not in record or "keypoint_scores" not in record:
        return record  # reported as malformed by _record_person
    try:
        xy = np.asarray(record["keypoints"], dtype=np.float64)
        scores = np.asarray(record["keypoint_scores"], dtype=np.float64).reshape(-1, 1)
        if xy.ndim != 2 or xy.shape[1] != 2 or len(scores) != len(xy):
            return {**record, "keypoints": None}
        return {**record, "keypoints": np.concatenate([xy, scores], axis=1)}
    except (ValueError, TypeError, OverflowError):
        return {**record, "keypoints": None}


def _label(value, default: int) -> str:
    """A record id for messages: ints and short strings as they are, anything else by position."""
    ok = isinstance(value, (int, str)) and not isinstance(value, bool) and len(str(value)) <= 40
    return str(value) if ok else str(default)


def _image_size(image: dict, where: str) -> tuple[int, int] | None:
    if "width" not in image and "height" not in image:
        return None
    w, h = image.get("width"), image.get("height")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < MAX_COORDINATE for v in (w, h)):
        raise KeypointFileError(f"{where}: the image's width and height must be numbers of at least 1 pixel, "
                                f"got {w!r}, {h!r}")
    return int(w), int(h)


def _in_chunks(path: Path, records: Iterator[tuple], size: int | None, images: dict | None = None) -> Iterator[ReadResult]:
    """People from (where, record, key, layout) records in chunks of ``size`` (None: all in one); a bad
    record goes to the chunk's errors. Raises when the whole file gave no person."""
    images = images or {}
    chunk, people = ReadResult(), 0
    try:
        for where, record, key, layout, min_score in records:
            try:
                person = _record_person(path, where, record, key, layout, images, chunk, min_score)
            except KeypointFileError as e:
                chunk.errors.append(str(e))
                continue
            if person is None:
                continue
            chunk.people.append(person)
            people += 1
            if size and len(chunk.people) == size:
                yield chunk
                chunk = ReadResult()
    except KeypointFileError:  # the file breaks off: hand out the people read before the break first
        if chunk.people:
            yield chunk
        raise
    if not people and chunk.errors:  # no chunk was handed out: this one holds every error
        raise KeypointFileError(f"{path}: no usable person; " + "; ".join(chunk.errors[:3]))
    if not people:
        raise KeypointFileError(f"{path}: the file holds no people")
    if chunk.people or chunk.errors or chunk.notes:
        yield chunk


def _record_person(path: Path, where: str, record, key: str, layout: str | None, images: dict,
                   result: ReadResult, min_score: float = 0.0) -> Person | None:
    """One record's person (None for an empty COCO annotation); a layout read from the joint count
    is noted in ``result``."""
    if isinstance(record, KeypointFileError):  # a record the list reader found broken
        raise record
    if not isinstance(record, dict) or key not in record:
        raise KeypointFileError(f"{where}: missing field {key!r}")
    count = record.get("num_keypoints", 1)
    if not isinstance(count, (int, float)) or isinstance(count, bool):
        raise KeypointFileError(f"{where}: num_keypoints must be a number, got {count!r}")
    if count == 0:
        return None  # COCO crowd/empty annotations carry no keypoints
    if record[key] is None:
        raise KeypointFileError(f"{where}: MMPose keypoints must be (J, 2) with J keypoint_scores")
    kp, used = _convert(record[key], layout, where, min_score)
    if layout is None:
        result.note_layout(path, len(SOURCE_LAYOUTS[used]), used)
    image_id = record.get("image_id")
    if isinstance(image_id, float) and image_id.is_integer():  # 7.0: written by tools that keep ids as floats
        image_id = int(image_id)
    if image_id is not None and (not isinstance(image_id, (int, str)) or isinstance(image_id, bool)):
        raise KeypointFileError(f"{where}: image_id must be a number or a string, got {type(image_id).__name__}")
    image = images.get(image_id, {})
    size = _image_size(image, where)
    name = image.get("file_name") if isinstance(image.get("file_name"), str) else None
    name = name or (str(image_id) if image_id is not None else None)
    return Person(source=where, keypoints=kp, image=name, image_size=size)


def _read_numpy(path: Path, layout: str | None, min_score: float = 0.0) -> ReadResult:
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as e:  # numpy raises many types for a damaged header or body
        raise KeypointFileError(f"{path}: not a readable .npy array ({type(e).__name__}: {e})") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf":
        raise KeypointFileError(f"{path}: expected a numeric array, got dtype {getattr(arr, 'dtype', type(arr))}")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise KeypointFileError(f"{path}: expected an array of shape (N, J, 2|3) or (J, 2|3), got {arr.shape}")
    result = ReadResult()
    for i, person in enumerate(arr):
        try:
            kp, used = _convert(person, layout, f"{path}#{i}", min_score)
        except KeypointFileError as e:
            result.errors.append(str(e))
            continue
        if layout is None:
            result.note_layout(path, len(SOURCE_LAYOUTS[used]), used)
        result.people.append(Person(source=f"{path}#{i}", keypoints=kp))
    if not result.people:
        raise KeypointFileError(f"{path}: no usable person; " + "; ".join(result.errors[:3]))
    return result


YOLO_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def _yolo_image(path: Path) -> Path | None:
    """The image a YOLO label file belongs to: same name beside it, or one folder up (``labels/``)."""
    for folder in (path.parent, path.parent.parent):
        for suffix in YOLO_IMAGE_SUFFIXES:
            for candidate in (folder / f"{path.stem}{suffix}", folder / f"{path.stem}{suffix.upper()}"):
                if candidate.is_file():
                    return candidate
    return None


def _read_yolo(path: Path, layout: str | None, min_score: float = 0.0) -> ReadResult:
    """Ultralytics YOLO-pose labels (``save_txt``): per line ``class cx cy w h`` then (x y [v]) per
    keypoint, normalised by the image size; the image must lie beside the file (or one folder up)."""
    from PIL import Image, UnidentifiedImageError

    image = _yolo_image(path)
    if image is None:
        raise KeypointFileError(f"{path}: YOLO-pose coordinates are normalised; put its image ({path.stem}.jpg "
                                "or .png) beside it or one folder up so they can be scaled to pixels")
    try:
        with Image.open(image) as im:
            width, height = im.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise KeypointFileError(f"{image}: not a readable image for {path.name} ({e})") from None
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise KeypointFileError(f"{path}: not UTF-8 text (byte {e.start})") from None
    result = ReadResult()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}#line {number}"
        try:
            try:
                values = np.array(line.split(), dtype=np.float64)
            except ValueError:
                raise KeypointFileError(f"{where}: expected numbers") from None
            points = values[5:]
            joints = layout and len(SOURCE_LAYOUTS[layout])
            dims = next((d for d in (3, 2) if len(points) % d == 0 and (joints is None or len(points) == d * joints)
                         and (joints is not None or len(points) // d in LAYOUT_BY_COUNT)), None)
            if len(values) < 5 or dims is None:
                raise KeypointFileError(f"{where}: expected 'class cx cy w h' then x y [v] per keypoint, "
                                        f"got {len(values)} numbers")
            kp = points.reshape(-1, dims)
            if not np.isfinite(kp).all() or np.abs(kp[:, :2]).max() > 10:
                raise KeypointFileError(f"{where}: YOLO-pose coordinates must be normalised to [0, 1]")
            kp[:, 0] *= width
            kp[:, 1] *= height
            coco19, used = _convert(kp, layout, where, min_score)
        except KeypointFileError as e:
            result.errors.append(str(e))
            continue
        if layout is None:
            result.note_layout(path, len(SOURCE_LAYOUTS[used]), used)
        result.people.append(Person(source=where, keypoints=coco19, image=image.name, image_size=(width, height)))
    if not result.people:
        raise KeypointFileError(f"{path}: no usable person" + ("; " + "; ".join(result.errors[:3]) if result.errors else ""))
    return result
