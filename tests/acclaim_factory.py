"""Small Acclaim ASF/AMC files made by the tests: a CMU-named skeleton written as VICON's exporter
writes them (units block, root block, bonedata with limits, hierarchy), and AMC frames."""
from __future__ import annotations

import numpy as np

# (name, parent, direction, length, axis angles, dof); lengths in the file's units (length 0.45).
CMU_BONES = [
    ("lhipjoint", "root", (0.57, -0.78, 0.26), 2.3, (0, 0, 0), ()),
    ("lfemur", "lhipjoint", (0.34, -0.94, 0), 7.3, (0, 0, 20), ("rx", "ry", "rz")),
    ("ltibia", "lfemur", (0.34, -0.94, 0), 7.0, (0, 0, 20), ("rx",)),
    ("lfoot", "ltibia", (0.14, -0.38, 0.92), 2.3, (-90, 0, 20), ("rx", "rz")),
    ("ltoes", "lfoot", (0, 0, 1), 1.2, (-90, 0, 20), ("rx",)),
    ("rhipjoint", "root", (-0.57, -0.78, 0.26), 2.3, (0, 0, 0), ()),
    ("rfemur", "rhipjoint", (-0.34, -0.94, 0), 7.3, (0, 0, -20), ("rx", "ry", "rz")),
    ("rtibia", "rfemur", (-0.34, -0.94, 0), 7.0, (0, 0, -20), ("rx",)),
    ("rfoot", "rtibia", (-0.14, -0.38, 0.92), 2.3, (-90, 0, -20), ("rx", "rz")),
    ("rtoes", "rfoot", (0, 0, 1), 1.2, (-90, 0, -20), ("rx",)),
    ("lowerback", "root", (0, 1, -0.05), 2.0, (0, 0, 0), ("rx", "ry", "rz")),
    ("upperback", "lowerback", (0, 1, 0.02), 2.1, (0, 0, 0), ("rx", "ry", "rz")),
    ("thorax", "upperback", (0, 1, -0.05), 2.2, (0, 0, 0), ("rx", "ry", "rz")),
    ("lowerneck", "thorax", (-0.1, 0.99, 0.1), 1.7, (0, 0, 0), ("rx", "ry", "rz")),
    ("upperneck", "lowerneck", (0.2, 0.96, -0.1), 1.7, (0, 0, 0), ("rx", "ry", "rz")),
    ("head", "upperneck", (0.1, 0.99, -0.05), 1.8, (0, 0, 0), ("rx", "ry", "rz")),
    ("lclavicle", "thorax", (0.95, 0.24, -0.2), 3.8, (0, 0, 0), ("ry", "rz")),
    ("lhumerus", "lclavicle", (1, 0, 0), 4.8, (180, -30, -90), ("rx", "ry", "rz")),
    ("lradius", "lhumerus", (1, 0, 0), 3.0, (180, -30, -90), ("rx",)),
    ("lwrist", "lradius", (1, 0, 0), 1.5, (0, 90, 90), ("ry",)),
    ("rclavicle", "thorax", (-0.95, 0.24, -0.2), 3.8, (0, 0, 0), ("ry", "rz")),
    ("rhumerus", "rclavicle", (-1, 0, 0), 4.8, (180, 30, 90), ("rx", "ry", "rz")),
    ("rradius", "rhumerus", (-1, 0, 0), 3.0, (180, 30, 90), ("rx",)),
    ("rwrist", "rradius", (-1, 0, 0), 1.5, (0, -90, -90), ("ry",)),
]


def asf_text(bones=CMU_BONES, length_unit: float = 0.45, angle: str = "deg", newline: str = "\n",
             root_order: str = "TX TY TZ RX RY RZ") -> str:
    """An ASF file for ``bones`` as VICON BodyLanguage writes it (with limits and a Latin-1 comment)."""
    lines = ["# AST/ASF file generated using VICON BodyLanguage", ":version 1.10", ":name VICON", ":units",
             "  mass 1.0", f"  length {length_unit}", f"  angle {angle}", ":documentation",
             "   .ast/.asf automatically generated from VICON data", ":root", f"   order {root_order}",
             "   axis XYZ", "   position 0 0 0", "   orientation 0 0 0", ":bonedata"]
    for i, (name, _, direction, length, axis, dof) in enumerate(bones, start=1):
        lines += ["  begin", f"     id {i}", f"     name {name}", "     direction " + " ".join(map(str, direction)),
                  f"     length {length}", "     axis " + " ".join(str(np.deg2rad(a) if angle == "rad" else a) for a in axis) + "  XYZ"]
        if dof:
            lines.append("    dof " + " ".join(dof))
            lines.append("    limits " + "\n           ".join("(-160.0 160.0)" for _ in dof))
        lines.append("  end")
    lines += [":hierarchy", "  begin"]
    parents: dict[str, list[str]] = {}
    for name, parent, *_ in bones:
        parents.setdefault(parent, []).append(name)
    lines += [f"    {p} " + " ".join(kids) for p, kids in parents.items()]
    lines += ["  end"]
    return newline.join(lines) + newline


def random_amc_frames(bones=CMU_BONES, frames: int = 4, seed: int = 0, scale_deg: float = 20.0) -> np.ndarray:
    """(T, C) AMC values: root TX TY TZ RX RY RZ then every bone's dof, in ``bones`` order."""
    rng = np.random.default_rng(seed)
    count = 6 + sum(len(b[5]) for b in bones)
    values = rng.normal(0.0, scale_deg, (frames, count))
    values[:, :3] = rng.normal(0.0, 5.0, (frames, 3)) + [0, 17, 0]
    return values


def amc_text(frames: np.ndarray, bones=CMU_BONES, newline: str = "\n", header_byte: bool = True,
             unit: str = ":DEGREES") -> str:
    """AMC text for ``frames`` (see ``random_amc_frames``); the first line holds a Latin-1 path as
    HDM05's do when ``header_byte``."""
    path = "X:\\2005_08_12_M\u00fcller\\c3d\\bd.ASF" if header_byte else "bd.ASF"
    lines = [f"#!OML:ASF {path}", ":FULLY-SPECIFIED", unit]
    for t, row in enumerate(frames, start=1):
        lines.append(str(t))
        lines.append("root " + " ".join(f"{v:.6g}" for v in row[:6]))
        column = 6
        for name, _, _, _, _, dof in bones:
            if dof:
                lines.append(name + " " + " ".join(f"{v:.6g}" for v in row[column:column + len(dof)]))
                column += len(dof)
    return newline.join(lines) + newline


def write_clip(folder, clip: str, frames: np.ndarray, asf_name: str = "HDM_bd.asf", **amc_kwargs):
    """Write ``asf_name`` (if absent) and ``clip``.amc into ``folder`` (Latin-1 bytes); returns the AMC path."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / asf_name).exists():
        (folder / asf_name).write_bytes(asf_text().encode("latin-1"))
    path = folder / f"{clip}.amc"
    path.write_bytes(amc_text(frames, **amc_kwargs).encode("latin-1"))
    return path
