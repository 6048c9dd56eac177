"""MeshResult: one reconstructed person, with writers for OBJ / PLY / GLB meshes and joint JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

from gtrs.atomic import StreamedFile, atomic_path
from gtrs.body.joint_angles import joint_angles
from gtrs.body.joints import COCO19, H36M17
from gtrs.body.mesh_normals import vertex_normals
from gtrs.writers.angles_csv import PeopleAnglesCsv
from gtrs.writers.body_params import BodyParams
from gtrs.writers.frames import FRAME_NAMES, to_frame
from gtrs.version import __version__

if TYPE_CHECKING:
    import trimesh

MESH_FORMATS = ("obj", "ply", "glb")
BODY_FORMATS = ("params", "bvh")  # need the fitted body's parameters
OUTPUT_FORMATS = MESH_FORMATS + BODY_FORMATS
ANGLES_FORMAT = "angles"  # per input, not per person: NAME_angles.csv beside NAME_people.json (PeopleAnglesCsv)


def angles_by_name(angles: dict[str, np.ndarray], i: int | None = None) -> dict[str, float]:
    """``joint_angles`` output (of one body, or body ``i`` of a batch) as plain floats, 2 decimals."""
    return {name: round(float(v if i is None else v[i]), 2) for name, v in angles.items()}


@dataclass
class MeshResult:
    """A person's mesh and joints in the camera frame (OpenCV axes, metres), placed by ``translation``."""

    vertices: np.ndarray  # (V, 3)
    faces: np.ndarray  # (F, 3)
    joints: np.ndarray  # (19, 3) COCO-19, regressed from the mesh
    joints_h36m: np.ndarray  # (17, 3)
    translation: np.ndarray  # (3,) where the pelvis is
    focal: float
    principal: np.ndarray  # (2,)
    keypoints: np.ndarray  # (19, 3) the input, pixels
    source: str = ""
    image: str | None = None
    reprojection_px: float = float("nan")
    params: BodyParams | None = None  # the fitted body's parameters (None for the raw network mesh)
    mesh_source: str = "network"  # 'network', 'fit', 'fit + refine' or 'fit + refine (lifts)'
    normals: np.ndarray | None = None  # (V, 3) unit vertex normals, camera frame; computed when first needed
    joint_angles_deg: dict[str, float] | None = None  # ``angles()``; computed when first needed

    def numpy(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self.__dict__.items() if isinstance(v, np.ndarray)}

    def vertex_normals(self, frame: str = "camera") -> np.ndarray:
        """(V, 3) unit vertex normals in ``frame`` (``gtrs.body.mesh_normals``)."""
        if self.normals is None:
            self.normals = vertex_normals(self.vertices, self.faces)
        return self.to_frame(self.normals, frame)  # a rotation: normals turn like points

    def mesh(self, frame: str = "camera") -> trimesh.Trimesh:
        """The mesh in ``frame`` ('camera' or 'viewer'), with vertex normals (which every exporter writes)."""
        import trimesh  # 0.4 s of start-up that JSON-only runs and the network's first chunk need not wait for

        return trimesh.Trimesh(self.to_frame(self.vertices, frame), self.faces,
                               vertex_normals=self.vertex_normals(frame), process=False)

    to_frame = staticmethod(to_frame)

    def angles(self) -> dict[str, float]:
        """Joint angles in degrees (``gtrs.body.joint_angles``) of the body's COCO-19 joints; the trunk's
        lean is from this camera's up axis."""
        if self.joint_angles_deg is None:
            self.joint_angles_deg = angles_by_name(joint_angles(self.joints))
        return self.joint_angles_deg

    def angles_text(self) -> str:
        """The main joint angles in one line: 'degrees, left / right: knee flexion 12 / 15, ...; trunk lean 5'."""
        a = self.angles()
        pairs = ", ".join(f"{name.replace('_', ' ')} {a[f'left_{name}']:.0f} / {a[f'right_{name}']:.0f}"
                          for name in ("knee_flexion", "hip_flexion", "elbow_flexion", "shoulder_elevation"))
        return f"degrees, left / right: {pairs}; trunk lean {a['trunk_lean']:.0f}"

    def record(self, frame: str = "viewer") -> dict:
        """This person as one entry of the per-input JSON (``PEOPLE_SCHEMA``)."""
        return {
            "source": self.source, "image": self.image,
            "keypoints_2d_coco19": self.keypoints.tolist(),
            "joints_coco19": self.to_frame(self.joints, frame).tolist(),
            "joints_h36m17": self.to_frame(self.joints_h36m, frame).tolist(),
            "translation": self.to_frame(self.translation, frame).tolist(),
            "focal_px": self.focal, "principal_px": self.principal.tolist(),
            "reprojection_error_px": self.reprojection_px, "mesh": self.mesh_source,
            "joint_angles_deg": self.angles(),
        }

    def page_body(self, title: str, photo=None, overlay: str | Path | None = None,
                  image_size: tuple[int, int] | None = None):
        """This person as the results page shows it (``gtrs.viz.html_page.PageBody``), in viewer axes.
        ``image_size`` defaults to the photo's, else to twice the principal point (the image centre)."""
        from gtrs.viz.html_page import PageBody

        if image_size is None:
            image_size = ((photo.shape[1], photo.shape[0]) if isinstance(photo, np.ndarray) else
                          (round(2 * self.principal[0]), round(2 * self.principal[1])))
        return PageBody(title=title, vertices=self.to_frame(self.vertices, "viewer"), faces=self.faces,
                        joints3d=self.to_frame(self.joints, "viewer"), keypoints2d=self.keypoints,
                        image_size=image_size, photo=photo, overlay=overlay,
                        meta=f"{self.mesh_source} mesh, reprojection error {self.reprojection_px:.1f} px; "
                             f"{self.angles_text()}")

    def save(self, folder: str | Path, stem: str, formats: tuple[str, ...] = OUTPUT_FORMATS,
             frame: str = "viewer") -> list[Path]:
        """Write ``stem.{obj,ply,glb}`` (with vertex normals), for a fitted body ``stem_params.json`` and
        ``stem.bvh``, and ``stem_joints.json`` into ``folder`` (atomically), in ``frame``: 'viewer'
        (+Y up, facing +Z: upright in glTF viewers and Blender) or 'camera' (OpenCV axes). A fitted
        body's GLB is a skinned, rigged character posed by its bones."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths, built = [], []

        def mesh() -> trimesh.Trimesh:  # built once, and only if a mesh file is asked for
            if not built:
                built.append(self.mesh(frame))
            return built[0]

        try:  # a person's files appear together or not at all (a full disk part-way removes the rest)
            for fmt in formats:
                if fmt not in OUTPUT_FORMATS:
                    raise ValueError(f"unknown output format {fmt!r}; expected one of {OUTPUT_FORMATS}")
                if fmt in BODY_FORMATS and self.params is None:
                    continue  # the raw network mesh has no body parameters
                paths.append(self._save_one(folder, stem, fmt, frame, mesh))
            record = {
                "source": self.source, "image": self.image, "frame": FRAME_NAMES[frame],
                "translation": self.to_frame(self.translation, frame).tolist(), "focal_px": self.focal,
                "principal_px": self.principal.tolist(), "reprojection_error_px": self.reprojection_px,
                "joints_coco19": {n: p.tolist() for n, p in zip(COCO19.names, self.to_frame(self.joints, frame))},
                "joints_h36m17": {n: p.tolist() for n, p in zip(H36M17.names, self.to_frame(self.joints_h36m, frame))},
                "joint_angles_deg": self.angles(),
            }
            path = folder / f"{stem}_joints.json"
            with atomic_path(path) as tmp:
                tmp.write_text(json.dumps(record, indent=1))
            paths.append(path)
        except BaseException:
            for written in paths:
                written.unlink(missing_ok=True)
            raise
        return paths

    def _save_one(self, folder: Path, stem: str, fmt: str, frame: str, mesh) -> Path:
        if fmt == "params":
            return self.params.save_params(folder / f"{stem}_params.json", frame, self.focal, self.principal)
        if fmt == "bvh":
            return self.params.save_bvh(folder / f"{stem}.bvh", frame)
        path = folder / f"{stem}.{fmt}"
        if fmt == "glb" and self.params is not None:
            return self.params.save_glb(path, self.faces, frame)
        with atomic_path(path) as tmp:
            if fmt == "obj":
                write_obj(tmp, self.to_frame(self.vertices, frame), self.faces, self.vertex_normals(frame))
            else:
                mesh().export(str(tmp), file_type=fmt)
        return path


_OBJ_FACES: dict[bytes, str] = {}  # the face block per face array (one body: computed once)


def write_obj(path: str | Path, vertices: np.ndarray, faces: np.ndarray, normals: np.ndarray) -> None:
    """Wavefront OBJ with vertex normals (``f a//a b//b c//c``). Numbers are formatted by array
    arithmetic (``obj_lines``), the face block once per topology: ~10x faster than Python's string
    formatting for the 13,718-vertex body, which matters when thousands of people are written."""
    key = np.ascontiguousarray(faces).tobytes()
    block = _OBJ_FACES.get(key)
    if block is None:
        f = np.asarray(faces, dtype=np.int64) + 1
        block = (("f %d//%d %d//%d %d//%d\n" * len(f)) % tuple(np.repeat(f, 2, axis=1).ravel())).encode("ascii")
        _OBJ_FACES.clear()
        _OBJ_FACES[key] = block
    with open(path, "wb") as out:
        out.write(obj_lines(b"v", np.asarray(vertices, dtype=np.float64), 6))
        out.write(obj_lines(b"vn", np.asarray(normals, dtype=np.float64), 4))
        out.write(block)


def obj_lines(tag: bytes, values: np.ndarray, decimals: int) -> bytes:
    """``tag x y z`` lines for (N, 3) ``values`` with ``decimals`` fixed decimals, built as a character
    array (fixed width: the numbers are space-padded, which OBJ readers split on like any whitespace).
    Values of 100 or more, or not finite, fall back to Python's formatting."""
    if not np.isfinite(values).all() or np.abs(values).max(initial=0.0) >= 99.5:
        return ((tag.decode() + f" %.{decimals}f %.{decimals}f %.{decimals}f\n") * len(values) % tuple(values.ravel())).encode()
    scale = 10 ** decimals
    q = np.rint(np.abs(values) * scale).astype(np.int64)  # (N, 3) fixed-point magnitudes
    whole, frac = q // scale, q % scale
    sign = np.where((values < 0) & (q > 0), ord("-"), ord(" ")).astype(np.uint8)
    width = 5 + decimals  # ' ', sign or tens, tens or sign, ones, '.', decimals
    chars = np.empty(values.shape + (width,), dtype=np.uint8)
    chars[..., 0] = ord(" ")
    two = whole >= 10
    chars[..., 1] = np.where(two, sign, ord(" "))
    chars[..., 2] = np.where(two, ord("0") + whole // 10, sign)
    chars[..., 3] = ord("0") + whole % 10
    chars[..., 4] = ord(".")
    for k in range(decimals):
        chars[..., 5 + k] = ord("0") + frac // 10 ** (decimals - 1 - k) % 10
    lines = np.empty((len(values), len(tag) + 3 * width + 1), dtype=np.uint8)
    lines[:, :len(tag)] = np.frombuffer(tag, dtype=np.uint8)
    lines[:, len(tag):-1] = chars.reshape(len(values), 3 * width)
    lines[:, -1] = ord("\n")
    return lines.tobytes()


PEOPLE_SCHEMA_VERSION = 1
# the keys of a person's entry of the people JSON, as ``MeshResult.record`` writes them
PEOPLE_RECORD_KEYS = ("source", "image", "keypoints_2d_coco19", "joints_coco19", "joints_h36m17", "translation",
                      "focal_px", "principal_px", "reprojection_error_px", "mesh", "joint_angles_deg")
PEOPLE_SCHEMA = """Per-input results JSON (``NAME_people.json``), schema_version 1:
{"schema_version": 1, "gtrs_version": str, "input": str, "frame": str (axes of every 3D value),
 "units": "metres; pixels for 2D", "joint_names": {"coco19": [...], "h36m17": [...]},
 "people": [{"source": "file#record", "image": str | null, "keypoints_2d_coco19": [[x, y, conf] x 19],
             "joints_coco19": [[x, y, z] x 19], "joints_h36m17": [[x, y, z] x 17], "translation": [x, y, z]
             (the pelvis), "focal_px": float, "principal_px": [cx, cy], "reprojection_error_px": float,
             "mesh": str, "joint_angles_deg": {name: degrees} (gtrs.body.joint_angles.ANGLE_NAMES)}, ...]}"""


def angles_csv_path(people_json: str | Path) -> Path:
    """``NAME_angles.csv`` beside ``NAME_people.json``."""
    people_json = Path(people_json)
    return people_json.with_name(people_json.name.removesuffix("_people.json") + "_angles.csv")


class PeopleJsonWriter:
    """Streams the people of one input into ``path`` (see ``PEOPLE_SCHEMA``): one person at a time, so
    memory stays flat however many people there are; the file appears complete or not at all."""

    def __init__(self, path: str | Path, source: str, frame: str, angles: bool = False) -> None:
        """``angles``: also ``NAME_angles.csv`` (``PeopleAnglesCsv``), published with the JSON or dropped with it."""
        self.path, self.count = Path(path), 0
        self._stream = StreamedFile(self.path)
        self._file = self._stream.file
        self.angles = PeopleAnglesCsv(angles_csv_path(self.path)) if angles else None
        head = {"schema_version": PEOPLE_SCHEMA_VERSION, "gtrs_version": __version__, "input": source,
                "frame": FRAME_NAMES[frame], "units": "metres; pixels for 2D",
                "joint_names": {"coco19": list(COCO19.names), "h36m17": list(H36M17.names)}}
        self._file.write(json.dumps(head)[:-1] + ', "people": [\n')

    @property
    def paths(self) -> list[Path]:
        """The files this writer publishes: the people JSON, and the angles CSV when asked for."""
        return [self.path] + ([self.angles.path] if self.angles is not None else [])

    def add(self, record: dict) -> None:
        self._file.write((",\n" if self.count else "") + json.dumps(record))
        if self.angles is not None:
            self.angles.add(self.count, record)
        self.count += 1

    def close(self, keep: bool = True) -> None:
        """Finish and publish the file (``keep``), or drop it (also when the disk is full); the angles CSV
        follows the JSON: published after it, dropped with it."""
        if not keep:
            if self.angles is not None:
                self.angles.close(keep=False)
            self._stream.drop()
            return
        try:
            self._file.write("\n]}\n")
            self._stream.publish()
        except BaseException:
            if self.angles is not None:
                self.angles.close(keep=False)
            raise
        if self.angles is not None:
            self.angles.close(keep=True)
