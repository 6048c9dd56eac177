"""Acclaim ASF/AMC reader (CMU's original release, HDM05): skeleton + motion -> a ``Motion``.

The ASF file defines the skeleton in global coordinates at rest: per bone a unit ``direction``,
a ``length``, an ``axis`` (the bone's local frame, three angles and their Euler order), its
``dof`` (which rotations the AMC file gives, in which order) and the ``:hierarchy``. ``:units``
gives ``length`` (lengths divided by it are inches, as CMU and HDM05 write them) and ``angle``
(``deg`` or ``rad``); ``:root`` its channel ``order``, ``axis``, ``position`` and ``orientation``.
An AMC file holds, per frame, a frame-number line and one line per bone with its values in the
order of the bone's ``dof`` (the root's in ``:root order``).

Conventions, as Acclaim's and CMU's viewers compute them:
- Euler angles apply in the order listed (``axis 0 0 20 XYZ`` and ``dof rx ry rz`` both mean
  R = Rz @ Ry @ Rx) -- the reverse of BVH's reading of its CHANNELS;
- a bone's motion rotation M acts about its own axes C, so in the parent's (rest = global)
  frame it is C @ M @ C^T;
- a bone starts where its parent ends (parent direction x length); the root's children start
  at the root.

The result is a ``Motion`` with one joint per bone, placed at the bone's start, plus ``root``,
and an End Site per leaf bone, so retargeting (``gtrs.mocap.retarget``), fidelity and the data
build treat it like a BVH clip. Unlike a BVH ``Motion``, lengths are already in **metres**
(``skeletons/cmu_acclaim.json`` has ``unit_scale`` 1) and angles in degrees.

Files are read as Latin-1 (HDM05 headers hold Windows paths with umlauts). Malformed input raises
``AcclaimError`` naming the file and line.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gtrs.mocap.bvh import MAX_VALUE, Motion, axis_rotation

INCH = 0.0254  # metres
ROOT = "root"
ROTATION_DOFS = {"rx": "Xrotation", "ry": "Yrotation", "rz": "Zrotation"}
ROOT_CHANNELS = {"TX": "Xposition", "TY": "Yposition", "TZ": "Zposition",
                 "RX": "Xrotation", "RY": "Yrotation", "RZ": "Zrotation"}
FPS_SUFFIX = re.compile(r"_(\d{2,4})$")  # HDM05: HDM_mm_squat1Reps_037_120.amc is 120 fps


class AcclaimError(ValueError):
    """A malformed ASF or AMC file; the message names the file and the line."""


@dataclass
class Bone:
    name: str
    direction: np.ndarray  # (3,) unit, global rest frame
    length: float  # file units
    axis: np.ndarray  # (3, 3) C: the bone's local axes in the global rest frame
    dof: list[str]  # 'rx', 'ry', 'rz' in file order


@dataclass
class Skeleton:
    """A parsed ASF file: bones in parent-first order (``root`` first), lengths in metres."""

    name: str
    bones: list[Bone]
    parents: list[int]  # -1 for the root
    root_order: list[str]  # e.g. ['TX', 'TY', 'TZ', 'RX', 'RY', 'RZ']
    angle_unit: str  # 'deg' or 'rad': how the AMC values are given unless the AMC says otherwise
    length_scale: float  # metres per file length unit (the AMC's root translations)

    def index(self, name: str) -> int:
        return [b.name for b in self.bones].index(name)


@dataclass
class AcclaimMotion(Motion):
    """A ``Motion`` read from ASF/AMC: ``axes[j]`` is bone j's C, rotations are applied the Acclaim way
    (position channels replace the offset, as in BVH)."""

    axes: np.ndarray = field(default_factory=lambda: np.zeros((0, 3, 3)))  # (J, 3, 3)

    def channel_rotation(self, joint: int, chans: list[str], values: np.ndarray) -> np.ndarray:
        """(T, 3, 3) the bone's local rotation C M C^T, M its dof rotations applied in the order listed."""
        m = np.broadcast_to(np.eye(3), (len(values), 3, 3)).copy()
        for i, c in enumerate(chans):
            if c.endswith("rotation"):  # the later rotation multiplies from the left
                m = axis_rotation(c[0].lower(), np.deg2rad(values[:, i])) @ m
        return self.axes[joint] @ m @ self.axes[joint].T


def euler_matrix(angles_deg, order: str) -> np.ndarray:
    """(3, 3) rotation of the angles about X, Y and Z (in that order in ``angles_deg``), applied in
    ``order`` ('XYZ': about X first, so Rz @ Ry @ Rx)."""
    m = np.eye(3)
    for axis in order.lower():
        m = axis_rotation(axis, np.deg2rad(angles_deg["xyz".index(axis)])) @ m
    return m


class _Lines:
    """Non-empty, comment-free lines of a file with their numbers, for error messages."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.items = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if line:
                self.items.append((number, line))
        self.pos = 0

    def error(self, message: str, line: int | None = None) -> AcclaimError:
        if line is None:
            line = self.items[min(self.pos, len(self.items) - 1)][0] if self.items else 1
        return AcclaimError(f"{self.path}, line {line}: {message}")

    def peek(self) -> tuple[int, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def next(self, what: str) -> tuple[int, str]:
        if self.pos >= len(self.items):
            raise self.error(f"unexpected end of file, expected {what}")
        self.pos += 1
        return self.items[self.pos - 1]


def _numbers(words: list[str], count: int, what: str, lines: _Lines, line: int) -> list[float]:
    if len(words) < count:
        raise lines.error(f"{what} needs {count} numbers, found {len(words)}", line)
    try:
        values = [float(w) for w in words[:count]]
    except ValueError:
        raise lines.error(f"{what}: expected numbers, found {' '.join(words[:count])!r}", line) from None
    if not all(math.isfinite(v) and abs(v) <= MAX_VALUE for v in values):
        raise lines.error(f"{what}: values must be finite and within {MAX_VALUE:.0e}", line)
    return values


def _euler_order(word: str, lines: _Lines, line: int) -> str:
    if sorted(word.upper()) != ["X", "Y", "Z"]:
        raise lines.error(f"expected an Euler order such as XYZ, found {word!r}", line)
    return word.upper()


def read_asf(path: str | Path) -> Skeleton:
    """Parse an ASF skeleton; raises ``AcclaimError`` with file and line on bad input."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError as e:
        raise AcclaimError(f"{path}: cannot read ({e.strerror})") from e
    return parse_asf(text, str(path), name=path.stem)


def parse_asf(text: str, path: str = "<string>", name: str = "skeleton") -> Skeleton:
    """Parse ASF text (see ``read_asf``)."""
    lines = _Lines(text, path)
    length_unit, angle_unit = 1.0, "deg"
    root_order, root_axis, root_position, root_orientation = ["TX", "TY", "TZ", "RX", "RY", "RZ"], "XYZ", [0.0] * 3, [0.0] * 3
    raw_bones: list[dict] = []
    children: dict[str, list[str]] = {}
    child_lines: dict[str, int] = {}
    seen_hierarchy = False

    while (item := lines.peek()) is not None:
        number, line = lines.next("a section")
        if not line.startswith(":"):
            raise lines.error(f"expected a section such as :units or :bonedata, found {line.split()[0]!r}", number)
        words = line.split()
        section = words[0].lower()
        if section == ":units":
            while (item := lines.peek()) is not None and not item[1].startswith(":"):
                number, line = lines.next("a unit")
                key, *rest = line.split()
                if key == "length":
                    length_unit = _numbers(rest, 1, "length unit", lines, number)[0]
                    if length_unit <= 0:
                        raise lines.error(f"length unit must be positive, got {length_unit}", number)
                elif key == "angle":
                    if not rest or rest[0].lower() not in ("deg", "rad"):
                        raise lines.error(f"angle unit must be deg or rad, found {' '.join(rest)!r}", number)
                    angle_unit = rest[0].lower()
        elif section == ":root":
            while (item := lines.peek()) is not None and not item[1].startswith(":"):
                number, line = lines.next("a root field")
                key, *rest = line.split()
                if key == "order":
                    root_order = [w.upper() for w in rest]
                    bad = [w for w in root_order if w not in ROOT_CHANNELS]
                    if bad or len(set(root_order)) != len(root_order) or not root_order:
                        raise lines.error(f"root order must list TX TY TZ RX RY RZ at most once each, found {rest}", number)
                elif key == "axis":
                    root_axis = _euler_order(rest[0] if rest else "", lines, number)
                elif key == "position":
                    root_position = _numbers(rest, 3, "root position", lines, number)
                elif key == "orientation":
                    root_orientation = _numbers(rest, 3, "root orientation", lines, number)
        elif section == ":bonedata":
            while (item := lines.peek()) is not None and not item[1].startswith(":"):
                number, line = lines.next("begin")
                if line.split()[0] != "begin":
                    raise lines.error(f"expected 'begin' of a bone, found {line!r}", number)
                raw_bones.append(_parse_bone(lines, number))
        elif section == ":hierarchy":
            seen_hierarchy = True
            number, line = lines.next("begin")
            if line != "begin":
                raise lines.error(f"expected 'begin' after :hierarchy, found {line!r}", number)
            while True:
                number, line = lines.next("'end' of :hierarchy")
                if line == "end":
                    break
                parent, *kids = line.split()
                for kid in kids:
                    if kid in child_lines:
                        raise lines.error(f"bone {kid!r} has two parents in :hierarchy", number)
                    child_lines[kid] = number
                children.setdefault(parent, []).extend(kids)
        else:  # :version, :name, :documentation and anything unknown: skip to the next section
            while (item := lines.peek()) is not None and not item[1].startswith(":"):
                lines.next("")

    if not raw_bones:
        raise lines.error("no :bonedata bones")
    if not seen_hierarchy:
        raise lines.error("no :hierarchy section")
    by_name = {b["name"]: b for b in raw_bones}
    for parent, kids in children.items():
        for n in [parent] + kids:
            if n != ROOT and n not in by_name:
                raise lines.error(f":hierarchy names bone {n!r}, which :bonedata does not define",
                                  child_lines.get(n))
    if ROOT in child_lines:
        raise lines.error("the root cannot be a child in :hierarchy", child_lines[ROOT])

    scale = INCH / length_unit
    to_deg = 1.0 if angle_unit == "deg" else 180.0 / np.pi
    bones = [Bone(ROOT, np.zeros(3), 0.0, euler_matrix(np.array(root_orientation) * to_deg, root_axis), [])]
    parents = [-1]
    queue = [ROOT]
    while queue:  # breadth-first from the root: parents before children
        parent = queue.pop(0)
        for kid in children.get(parent, []):
            b = by_name[kid]
            bones.append(Bone(kid, b["direction"], b["length"] * scale, euler_matrix(b["axis"] * to_deg, b["order"]), b["dof"]))
            parents.append([x.name for x in bones].index(parent))
            queue.append(kid)
    orphans = sorted(set(by_name) - {b.name for b in bones})
    if orphans:
        raise lines.error(f"bones {orphans[:5]} are not connected to the root in :hierarchy")
    bones[0].direction = np.array(root_position) * scale  # the root's rest position (metres)
    return Skeleton(name=name, bones=bones, parents=parents, root_order=root_order, angle_unit=angle_unit,
                    length_scale=scale)


def _parse_bone(lines: _Lines, begin_line: int) -> dict:
    bone: dict = {"dof": []}
    while True:
        number, line = lines.next(f"'end' of the bone begun on line {begin_line}")
        key, *rest = line.split()
        if key == "end":
            break
        if key == "name":
            if not rest:
                raise lines.error("a bone name is missing", number)
            bone["name"] = rest[0]
        elif key == "direction":
            d = np.array(_numbers(rest, 3, "direction", lines, number))
            n = np.linalg.norm(d)
            bone["direction"] = d / n if n > 1e-12 else d
        elif key == "length":
            bone["length"] = _numbers(rest, 1, "length", lines, number)[0]
            if bone["length"] < 0:
                raise lines.error(f"length must not be negative, got {bone['length']}", number)
        elif key == "axis":
            bone["axis"] = np.array(_numbers(rest, 3, "axis", lines, number))
            bone["order"] = _euler_order(rest[3] if len(rest) > 3 else "", lines, number)
        elif key == "dof":
            bad = [w for w in rest if w.lower() not in ROTATION_DOFS]
            if bad:
                raise lines.error(f"dof {bad[0]!r} is not supported (rx, ry, rz)", number)
            bone["dof"] = [w.lower() for w in rest]
            if len(set(bone["dof"])) != len(bone["dof"]):
                raise lines.error(f"dof lists an axis twice: {rest}", number)
        # id, limits (and their continuation lines), bodymass, cofmass: not needed
    for key in ("name", "direction", "length", "axis"):
        if key not in bone:
            raise lines.error(f"the bone begun on line {begin_line} has no {key}", begin_line)
    if bone["name"] == ROOT:
        raise lines.error("a bone cannot be called 'root'", begin_line)
    return bone


def parse_amc(text: str, skeleton: Skeleton, fps: float, path: str = "<string>", name: str = "clip") -> AcclaimMotion:
    """Parse AMC text on ``skeleton`` into an ``AcclaimMotion`` at ``fps`` frames per second."""
    if not (np.isfinite(fps) and 0 < fps <= 10000):
        raise AcclaimError(f"{path}: frame rate must be positive, got {fps}")
    lines = _Lines(text, path)
    angle_unit = skeleton.angle_unit
    while (item := lines.peek()) is not None and item[1].startswith(":"):
        lines.next("")
        word = item[1].upper()
        if word.startswith(":DEGREES"):
            angle_unit = "deg"
        elif word.startswith(":RADIANS"):
            angle_unit = "rad"
    names = [b.name for b in skeleton.bones]
    counts = [len(skeleton.root_order)] + [len(b.dof) for b in skeleton.bones[1:]]
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    animated = {n: i for i, n in enumerate(names) if counts[i]}
    rows: list[np.ndarray] = []
    row: np.ndarray | None = None
    seen: set[str] = set()
    last_number: int | None = None

    def close_frame(line: int) -> None:
        missing = sorted(set(animated) - seen)
        if missing:
            raise lines.error(f"frame {len(rows)} lacks bones {missing[:5]}", line)
        rows.append(row)

    while (item := lines.peek()) is not None:
        number, line = lines.next("a frame")
        words = line.split()
        if len(words) == 1 and words[0].isascii() and words[0].isdigit():
            if row is not None:
                close_frame(number)
            if last_number is not None and int(words[0]) != last_number + 1:
                raise lines.error(f"frame number {words[0]} follows {last_number} (expected {last_number + 1})", number)
            last_number = int(words[0])
            row, seen = np.zeros(starts[-1]), set()
            continue
        if row is None:
            raise lines.error(f"expected a frame number before bone values, found {words[0]!r}", number)
        bone = words[0]
        if bone not in animated:
            raise lines.error(f"unknown or fixed bone {bone!r} (the skeleton's animated bones: "
                              f"{', '.join(list(animated)[:6])}, ...)", number)
        if bone in seen:
            raise lines.error(f"bone {bone!r} appears twice in frame {len(rows)}", number)
        i = animated[bone]
        if len(words) - 1 != counts[i]:
            raise lines.error(f"bone {bone!r} has {len(words) - 1} values, its dof has {counts[i]}", number)
        row[starts[i]:starts[i + 1]] = _numbers(words[1:], counts[i], f"bone {bone!r}", lines, number)
        seen.add(bone)
    if row is not None:
        close_frame(lines.items[-1][0])
    if not rows:
        raise lines.error("no frames")
    frames = np.array(rows)

    scale = skeleton.length_scale
    to_deg = 1.0 if angle_unit == "deg" else 180.0 / np.pi
    channels, parents, offsets = [], skeleton.parents, np.zeros((len(names), 3))
    for i, b in enumerate(skeleton.bones):
        if i == 0:
            channels.append([ROOT_CHANNELS[c] for c in skeleton.root_order])
            offsets[0] = b.direction
        else:
            channels.append([ROTATION_DOFS[d] for d in b.dof])
            p = skeleton.bones[parents[i]]
            offsets[i] = 0.0 if parents[i] == 0 else p.direction * p.length
        for k, c in enumerate(channels[-1]):
            column = frames[:, starts[i] + k]
            column *= scale if c.endswith("position") else to_deg
    end_sites = {i: b.direction * b.length for i, b in enumerate(skeleton.bones)
                 if i > 0 and i not in parents}
    return AcclaimMotion(name=name, joint_names=names, parents=list(parents), offsets=offsets, channels=channels,
                         frame_time=1.0 / fps, frames=frames, end_sites=end_sites,
                         axes=np.stack([b.axis for b in skeleton.bones]))


def skeleton_file_for(amc: Path) -> Path:
    """The ASF beside an AMC file: the one whose name starts its name (HDM_mm.asf for
    HDM_mm_squat1Reps_037_120.amc, 02.asf for 02_01.amc), else the only one in its folder or above."""
    for folder in (amc.parent, amc.parent.parent):
        candidates = sorted(folder.glob("*.asf")) + sorted(folder.glob("*.ASF"))
        prefixed = [a for a in candidates if amc.stem.lower().startswith(a.stem.lower())]
        if prefixed:
            return max(prefixed, key=lambda a: len(a.stem))
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise AcclaimError(f"{amc}: {len(candidates)} .asf files beside it and none whose name starts the clip's")
    raise AcclaimError(f"{amc}: no .asf skeleton file beside it (or in the folder above)")


def amc_frame_rate(amc: Path, default: float | None = None) -> float:
    """Frames per second of an AMC file: its ``_<fps>`` name suffix (HDM05), else ``default``."""
    match = FPS_SUFFIX.search(amc.stem)
    if match and 10 <= int(match.group(1)) <= 1000:
        return float(match.group(1))
    if default is None:
        raise AcclaimError(f"{amc}: AMC files carry no frame rate and the name has no _<fps> suffix "
                           "(such as _120); give it with --amc-fps")
    return float(default)


def read_amc(path: str | Path, skeleton: Skeleton | None = None, fps: float | None = None) -> AcclaimMotion:
    """Read an AMC clip; the skeleton defaults to the ASF beside it (``skeleton_file_for``), the frame
    rate to the file name's suffix (``amc_frame_rate``)."""
    path = Path(path)
    skeleton = read_asf(skeleton_file_for(path)) if skeleton is None else skeleton
    rate = amc_frame_rate(path, fps)
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError as e:
        raise AcclaimError(f"{path}: cannot read ({e.strerror})") from e
    return parse_amc(text, skeleton, rate, str(path), name=path.stem)
