"""BVH reader: hierarchy, per-joint channel order, offsets, End Sites, frame time, motion.

Handles any valid BVH: tabs or spaces, CRLF or LF line ends, a UTF-8 byte-order mark, any channel
order per joint, position channels on any joint, hierarchies of any depth (the parser keeps its own
stack). Malformed input raises ``BVHError`` naming the file and line, and so do values that are not
finite or beyond ``MAX_VALUE`` in magnitude (offsets, positions, angles).

Conventions:
- a joint's rotation is the product of its rotation channels in the order listed
  (``Zrotation Xrotation Yrotation`` -> R = Rz @ Rx @ Ry), angles in degrees;
- a joint with position channels takes them as its local translation (instead of its OFFSET);
- positions are in the file's units (``Motion.forward_kinematics`` takes a scale to metres).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_VALUE = 1e6  # file units or degrees; beyond it a value is a mistake and would overflow forward kinematics
ROTATION_CHANNELS = ("Xrotation", "Yrotation", "Zrotation")
POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")


class BVHError(ValueError):
    """A malformed BVH file; the message names the file and the line."""


@dataclass
class Motion:
    """A parsed BVH clip. ``end_sites[j]`` is the OFFSET of joint j's End Site, if it has one."""

    name: str
    joint_names: list[str]
    parents: list[int]  # -1 for the root
    offsets: np.ndarray  # (J, 3) file units
    channels: list[list[str]]  # per joint, in file order
    frame_time: float  # seconds
    frames: np.ndarray  # (T, C) all channel values, in file order
    end_sites: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def fps(self) -> float:
        return 1.0 / self.frame_time

    def index(self, joint: str) -> int:
        try:
            return self.joint_names.index(joint)
        except ValueError:
            raise KeyError(f"{self.name}: no joint {joint!r}") from None

    def local_transforms(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-frame local rotations (T, J, 3, 3) and translations (T, J, 3) in file units."""
        T, J = self.num_frames, len(self.joint_names)
        rotations = np.broadcast_to(np.eye(3), (T, J, 3, 3)).copy()
        translations = np.broadcast_to(self.offsets, (T, J, 3)).copy()
        column = 0
        for j, chans in enumerate(self.channels):
            values = self.frames[:, column:column + len(chans)]
            column += len(chans)
            position = {c: values[:, i] for i, c in enumerate(chans) if c in POSITION_CHANNELS}
            if position:
                translations[:, j] = np.stack([position.get(c, np.zeros(T)) for c in POSITION_CHANNELS], -1)
            rotations[:, j] = self.channel_rotation(j, chans, values)
        return rotations, translations

    def channel_rotation(self, joint: int, chans: list[str], values: np.ndarray) -> np.ndarray:
        """(T, 3, 3) joint ``joint``'s local rotation from its channel values (T, C): BVH's reading,
        the product of the rotation channels in the order listed."""
        rotation = np.broadcast_to(np.eye(3), (len(values), 3, 3)).copy()
        for i, c in enumerate(chans):
            if c in ROTATION_CHANNELS:
                rotation = rotation @ axis_rotation(c[0].lower(), np.deg2rad(values[:, i]))
        return rotation

    def forward_kinematics(self, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """World joint positions (T, J, 3) times ``scale`` and world rotations (T, J, 3, 3)."""
        local_r, local_t = self.local_transforms()
        world_r = np.empty_like(local_r)
        world_p = np.empty_like(local_t)
        for j, p in enumerate(self.parents):  # parents precede children in file order
            if p < 0:
                world_r[:, j], world_p[:, j] = local_r[:, j], local_t[:, j]
            else:
                world_r[:, j] = world_r[:, p] @ local_r[:, j]
                world_p[:, j] = world_p[:, p] + np.einsum("tij,tj->ti", world_r[:, p], local_t[:, j])
        return world_p * scale, world_r

    def rest_positions(self, scale: float = 1.0) -> np.ndarray:
        """(J, 3) joint positions with every rotation zero and the root at the origin."""
        out = np.zeros((len(self.joint_names), 3))
        for j, p in enumerate(self.parents):
            if p >= 0:
                out[j] = out[p] + self.offsets[j]
        return out * scale


def axis_rotation(axis: str, angle: np.ndarray) -> np.ndarray:
    """(..., 3, 3) rotation matrices about 'x', 'y' or 'z' by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    one, zero = np.ones_like(angle), np.zeros_like(angle)
    rows = {
        "x": ((one, zero, zero), (zero, c, -s), (zero, s, c)),
        "y": ((c, zero, s), (zero, one, zero), (-s, zero, c)),
        "z": ((c, -s, zero), (s, c, zero), (zero, zero, one)),
    }[axis]
    return np.stack([np.stack(r, -1) for r in rows], -2)


class _Tokens:
    """Whitespace tokens with their line numbers, for error messages."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.items: list[tuple[str, int]] = []
        self.lines = text.splitlines()
        for number, line in enumerate(self.lines, start=1):
            self.items.extend((tok, number) for tok in line.split())
        self.pos = 0

    def error(self, message: str, line: int | None = None) -> BVHError:
        if line is None:
            line = self.items[min(self.pos, len(self.items) - 1)][1] if self.items else 1
        return BVHError(f"{self.path}, line {line}: {message}")

    def next(self, what: str) -> tuple[str, int]:
        if self.pos >= len(self.items):
            raise self.error(f"unexpected end of file, expected {what}", len(self.lines))
        item = self.items[self.pos]
        self.pos += 1
        return item

    def expect(self, word: str) -> int:
        tok, line = self.next(repr(word))
        if tok != word:
            raise self.error(f"expected {word!r}, found {tok!r}", line)
        return line

    def number(self, what: str) -> float:
        tok, line = self.next(what)
        try:
            value = float(tok)
        except ValueError:
            raise self.error(f"expected a number for {what}, found {tok!r}", line) from None
        if not np.isfinite(value):
            raise self.error(f"{what} is not finite ({tok!r})", line)
        if abs(value) > MAX_VALUE:
            raise self.error(f"{what} is {tok}, beyond {MAX_VALUE:.0e}", line)
        return value

    def count(self, what: str) -> int:
        tok, line = self.next(what)
        if not (tok.isascii() and tok.isdigit()):
            raise self.error(f"expected {what}, found {tok!r}", line)
        return int(tok)


def read_bvh(path: str | Path) -> Motion:
    """Parse a BVH file into a ``Motion``; raises ``BVHError`` with file and line on bad input."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as e:
        raise BVHError(f"{path}: cannot read ({e.strerror})") from e
    return parse_bvh(text, str(path), name=path.stem)


def parse_bvh(text: str, path: str = "<string>", name: str = "clip") -> Motion:
    """Parse BVH text (see ``read_bvh``)."""
    toks = _Tokens(text, path)
    toks.expect("HIERARCHY")
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    end_sites: dict[int, np.ndarray] = {}

    def parse_offset() -> list[float]:
        toks.expect("OFFSET")
        return [toks.number("OFFSET x"), toks.number("OFFSET y"), toks.number("OFFSET z")]

    def open_joint(parent: int) -> int:
        """Read a joint's name, OFFSET and CHANNELS; returns its index."""
        joint_name, line = toks.next("a joint name")
        if joint_name in ("{", "}"):
            raise toks.error(f"expected a joint name, found {joint_name!r}", line)
        if joint_name in names:
            raise toks.error(f"joint {joint_name!r} is defined twice", line)
        names.append(joint_name)
        parents.append(parent)
        toks.expect("{")
        offsets.append(parse_offset())
        toks.expect("CHANNELS")
        chans = []
        for _ in range(toks.count("a channel count")):
            chan, line = toks.next("a channel name")
            if chan not in ROTATION_CHANNELS + POSITION_CHANNELS:
                raise toks.error(f"unknown channel {chan!r} for joint {joint_name!r}", line)
            chans.append(chan)
        channels.append(chans)
        return len(names) - 1

    def parse_hierarchy() -> None:
        stack = [open_joint(-1)]  # the open joints, innermost last
        while stack:
            tok, line = toks.next("JOINT, End Site or '}'")
            if tok == "}":
                stack.pop()
            elif tok == "JOINT":
                stack.append(open_joint(stack[-1]))
            elif tok == "End":
                toks.expect("Site")
                toks.expect("{")
                end_sites[stack[-1]] = np.array(parse_offset())
                toks.expect("}")
            else:
                raise toks.error(f"expected JOINT, End Site or '}}' in joint {names[stack[-1]]!r}, found {tok!r}", line)

    toks.expect("ROOT")
    parse_hierarchy()
    tok, line = toks.next("MOTION")
    if tok == "ROOT":
        raise toks.error("more than one ROOT is not supported", line)
    if tok != "MOTION":
        raise toks.error(f"expected MOTION, found {tok!r}", line)
    toks.expect("Frames:")
    num_frames = toks.count("a frame count")
    toks.expect("Frame")
    toks.expect("Time:")
    frame_time = toks.number("Frame Time")
    if frame_time <= 0:
        raise toks.error(f"Frame Time must be positive, got {frame_time}")

    # Motion rows: one line per frame, exactly one value per channel.
    num_channels = sum(len(c) for c in channels)
    first_line = toks.items[toks.pos][1] if toks.pos < len(toks.items) else len(toks.lines) + 1
    rows = [line for line in toks.lines[first_line - 1:]]
    data = []
    for offset, line in enumerate(rows):
        values = line.split()
        if not values:
            continue
        if len(data) == num_frames:
            raise toks.error(f"more motion lines than 'Frames: {num_frames}'", first_line + offset)
        if len(values) != num_channels:
            raise toks.error(f"frame {len(data)} has {len(values)} values, the hierarchy has {num_channels} channels",
                             first_line + offset)
        try:
            row = np.array(values, dtype=np.float64)
        except ValueError:
            raise toks.error(f"frame {len(data)} has a value that is not a number", first_line + offset) from None
        if not np.isfinite(row).all():
            raise toks.error(f"frame {len(data)} has a NaN or infinite value", first_line + offset)
        if np.abs(row).max() > MAX_VALUE:
            raise toks.error(f"frame {len(data)} has a value beyond {MAX_VALUE:.0e}", first_line + offset)
        data.append(row)
    if len(data) != num_frames:
        raise toks.error(f"'Frames: {num_frames}' but {len(data)} motion lines follow", len(toks.lines))
    return Motion(name=name, joint_names=names, parents=parents, offsets=np.array(offsets, dtype=np.float64),
                  channels=channels, frame_time=frame_time,
                  frames=np.array(data, dtype=np.float64).reshape(num_frames, num_channels), end_sites=end_sites)
