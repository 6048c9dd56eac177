"""People as a Parquet dataset: one row per person, written one block (a part file) at a time.

``gtrs predict --formats parquet`` writes ``OUT/people.parquet/``, a folder of ``part-NNNNNN.parquet``
files that pandas, pyarrow and DuckDB read as one table (``PARQUET_SCHEMA``); ``read_people`` returns it.
Each part appears whole or not at all (written under a hidden temporary name, then renamed), so a killed
job leaves whole blocks only.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gtrs.atomic import atomic_path
from gtrs.body.joint_angles import ANGLE_NAMES
from gtrs.body.joints import COCO19, H36M17
from gtrs.writers.frames import FRAME_NAMES
from gtrs.writers.results import MeshResult
from gtrs.version import __version__

PARQUET_SCHEMA_VERSION = 1
PARQUET_SCHEMA = """People Parquet dataset (``OUT/people.parquet/part-*.parquet``), schema_version 1.
One row per person, in input order (blocks in part-name order, rows in order inside a part):
  input: string                 the input file
  record: int64                 the person's index in that file (person k of NAME is NAME_k)
  source: string                "file#record" as the tool reports it
  image: string (null)          the photo the person was found in, if known
  keypoints_2d_coco19: list<list<double>>   [19][x, y, confidence] pixels, the input used
  joints_coco19: list<list<double>>         [19][x, y, z] metres
  joints_h36m17: list<list<double>>         [17][x, y, z] metres
  translation: list<double>     [x, y, z] where the pelvis is (metres)
  focal_px: double; principal_px: list<double> [cx, cy]   the pinhole camera (at the origin)
  reprojection_error_px: double
  mesh: string                  'network', 'fit' or 'fit + refine'
  joint_angles_deg: struct<left_knee_flexion, ..., trunk_lean: double>   degrees (gtrs.body.joint_angles)
  shape: struct<gender, age, muscle, weight, height, proportions: double> (null for the network mesh)
         anny's phenotype parameters in [0, 1]
  bone_rotations_xyzw: list<list<double>> (null for the network mesh)
         [bones][x, y, z, w] each bone's rotation relative to its parent (the root's: its orientation)
  root_position: list<double> (null for the network mesh)   where the root bone Hips has its head
  vertices: list<list<float>> (only with meshes in the table)   [13718][x, y, z] metres
3D values are in the axes of the file metadata's ``frame``. File metadata (key ``gtrs``, JSON):
schema_version, gtrs_version, frame, units, joint_names {coco19, h36m17}, bone_names, bone_parents,
and the block's ``errors`` (records of the block that could not be reconstructed)."""

SHAPE_NAMES = ("gender", "age", "muscle", "weight", "height", "proportions")


def _arrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("Parquet output needs pyarrow: pip install 'gtrs[parquet]'") from None
    return pa, pq


def people_schema(meshes: bool = False):
    """The Arrow schema of ``PARQUET_SCHEMA`` (``meshes``: with the ``vertices`` column)."""
    pa, _ = _arrow()
    points = pa.list_(pa.list_(pa.float64()))
    fields = [
        ("input", pa.string()), ("record", pa.int64()), ("source", pa.string()), ("image", pa.string()),
        ("keypoints_2d_coco19", points), ("joints_coco19", points), ("joints_h36m17", points),
        ("translation", pa.list_(pa.float64())), ("focal_px", pa.float64()), ("principal_px", pa.list_(pa.float64())),
        ("reprojection_error_px", pa.float64()), ("mesh", pa.string()),
        ("joint_angles_deg", pa.struct([(n, pa.float64()) for n in ANGLE_NAMES])),
        ("shape", pa.struct([(n, pa.float64()) for n in SHAPE_NAMES])),
        ("bone_rotations_xyzw", points), ("root_position", pa.list_(pa.float64())),
    ]
    if meshes:
        fields.append(("vertices", pa.list_(pa.list_(pa.float32()))))
    return pa.schema(fields)


def person_row(result: MeshResult, input: str, record: int, frame: str, meshes: bool = False) -> dict:
    """One person as a row of ``PARQUET_SCHEMA`` (3D values in ``frame``)."""
    to = result.to_frame
    row = {"input": input, "record": int(record), "source": result.source, "image": result.image,
           "keypoints_2d_coco19": np.asarray(result.keypoints, dtype=np.float64).tolist(),
           "joints_coco19": to(result.joints, frame).tolist(), "joints_h36m17": to(result.joints_h36m, frame).tolist(),
           "translation": to(result.translation, frame).tolist(), "focal_px": float(result.focal),
           "principal_px": np.asarray(result.principal, dtype=np.float64).tolist(),
           "reprojection_error_px": float(result.reprojection_px), "mesh": result.mesh_source,
           "joint_angles_deg": result.angles(),
           "shape": None, "bone_rotations_xyzw": None, "root_position": None}
    if result.params is not None:
        quats, root = result.params.posed_quaternions(frame)
        row["shape"] = {n: float(v) for n, v in zip(result.params.shape_names, result.params.shape)}
        row["bone_rotations_xyzw"] = quats.numpy().tolist()
        row["root_position"] = np.asarray(root, dtype=np.float64).tolist()
    if meshes:
        row["vertices"] = to(result.vertices, frame).astype(np.float32).tolist()
    return row


def file_metadata(frame: str, bone_names=(), bone_parents=(), errors: list[str] | None = None) -> dict:
    """The ``gtrs`` metadata of a part file."""
    return {"schema_version": PARQUET_SCHEMA_VERSION, "gtrs_version": __version__, "frame": FRAME_NAMES[frame],
            "units": "metres; pixels for 2D", "joint_names": {"coco19": list(COCO19.names), "h36m17": list(H36M17.names)},
            "bone_names": list(bone_names), "bone_parents": [int(p) for p in bone_parents], "errors": list(errors or [])}


def people_part(rows: list[dict], metadata: dict, meshes: bool = False) -> bytes:
    """``rows`` as the bytes of one Parquet part file (zero rows is a valid, empty part)."""
    pa, pq = _arrow()
    schema = people_schema(meshes).with_metadata({"gtrs": json.dumps(metadata)})
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_part(path: str | Path, part: bytes) -> Path:
    """Write a part file atomically: it appears whole or not at all, under a name readers glob
    (``part-*.parquet``) only once it is whole."""
    path = Path(path)
    with atomic_path(path, suffix=".tmp") as tmp:
        tmp.write_bytes(part)
    return path


def part_metadata(path: str | Path) -> dict:
    """The ``gtrs`` metadata of one part file, with its number of people as ``rows`` (one footer read)."""
    _, pq = _arrow()
    footer = pq.read_metadata(path)
    return json.loads((footer.metadata or {}).get(b"gtrs", b"{}")) | {"rows": footer.num_rows}


def iter_part_records(path: str | Path, columns: list[str]):
    """The rows of one part file as dicts of ``columns``, in order."""
    _, pq = _arrow()
    return iter(pq.read_table(path, columns=columns).to_pylist())


def part_files(folder: str | Path) -> list[Path]:
    """The finished part files of a people dataset, in order."""
    return sorted(Path(folder).glob("part-*.parquet"))


def read_people(path: str | Path, columns: list[str] | None = None):
    """A people Parquet dataset (the folder, or one part file) as a pandas DataFrame, in input order."""
    pa, pq = _arrow()
    path = Path(path)
    files = [path] if path.is_file() else part_files(path)
    if not files:
        raise FileNotFoundError(f"{path}: no people Parquet files (part-*.parquet) there")
    tables = [pq.read_table(f, columns=columns) for f in files]
    return pa.concat_tables([t.replace_schema_metadata(None) for t in tables]).to_pandas()
