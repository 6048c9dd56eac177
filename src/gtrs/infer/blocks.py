"""People in blocks: the unit of work of a table job (``gtrs.infer.table_job``), whichever engine runs it.

The driver reads the inputs once, in order, and cuts their people into numbered blocks of at most
``block_size`` people (a block may span several small files). A ``BlockWorker`` (the local process,
or a Ray actor: ``gtrs.infer.ray_engine``) loads the model once and turns a block into one Parquet
part (``gtrs.writers.parquet``): its bytes travel back to the driver, which writes them under the
block's fixed name, so a block computed twice (a retried task) is still one part, and a rerun
skips the parts that exist. Mesh files, when asked for, are written by the worker itself.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gtrs.fit.shape_hints import ShapeHints
from gtrs.infer.predict import read_input, reconstruct_people
from gtrs.readers.keypoints import KeypointFileError, Person

BLOCK_SIZE = 1024  # people per block: the per-block overhead (a task, a part file) stays small beside the work


@dataclass
class Block:
    index: int
    people: list[Person]
    inputs: list[str]  # per person: the input file
    records: list[int]  # per person: their number in that file (person k of NAME is NAME_k)
    stems: list[str]  # per person: the output stem of their file (NAME)


@dataclass(frozen=True)
class BlockTask:
    """What every block of one job is turned into (picklable: it travels to Ray actors)."""

    frame: str = "viewer"
    focal: float | None = None
    mesh: str = "fit"
    refine: bool | str = False  # or "lifts" (gtrs.infer.predictor.REFINEMENTS)
    hints: ShapeHints | None = None
    mesh_formats: tuple[str, ...] = ()  # obj, ply, glb, params, bvh files per person, written by the worker
    out: str = ""  # where those files go
    vertices: bool = False  # the mesh as a column of the table
    device: str = "cpu"
    precision: str = "auto"
    onnx: str | None = None


@dataclass
class BlockOutcome:
    index: int
    size: int  # people in the block
    people: int  # of them, reconstructed (rows of the part)
    errors: list[str]
    part: bytes  # the block's Parquet part file


@dataclass
class ReadLog:
    """What reading the inputs reported (the same lines as ``gtrs predict`` gives)."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    people: int = 0


def iter_blocks(files: list[Path], stems: dict[Path, str], block_size: int = BLOCK_SIZE, joints: str | None = None,
                min_confidence: float | None = None, person: int | None = None,
                log: ReadLog | None = None) -> Iterator[Block]:
    """The people of ``files``, read in order (streamed: flat memory), as numbered blocks. Bad files and
    records go to ``log.errors`` and are skipped; the block numbers depend only on the inputs."""
    log = log if log is not None else ReadLog()
    detector: list = []
    index = 0
    pending = Block(0, [], [], [], [])
    try:
        for path in files:
            k = 0
            try:
                for read, _ in read_input(path, joints, detector, person, render=False, min_confidence=min_confidence):
                    log.errors.extend(read.errors)
                    log.notes.extend(n for n in read.notes if n not in log.notes)
                    for who in read.people:
                        pending.people.append(who)
                        pending.inputs.append(str(path))
                        pending.records.append(k)
                        pending.stems.append(stems[path])
                        k += 1
                        log.people += 1
                        if len(pending.people) == block_size:
                            yield pending
                            index += 1
                            pending = Block(index, [], [], [], [])
            except KeypointFileError as e:  # a file that breaks off part-way: the people before the break are kept
                log.errors.append(str(e))
        if pending.people:
            yield pending
    finally:
        for d in detector:
            d.close()


class BlockWorker:
    """Turns blocks into Parquet parts with one model, loaded once (a Ray actor class as it is)."""

    def __init__(self, task: BlockTask, reconstructor=None) -> None:
        """``reconstructor``: a model already loaded (else the shipped one, as ``task`` says)."""
        from gtrs.infer.predictor import Reconstructor

        self.task = task
        self.reconstructor = reconstructor or Reconstructor.pretrained(device=task.device, onnx_path=task.onnx,
                                                                       precision=task.precision)

    def run(self, block: Block) -> BlockOutcome:
        from gtrs.writers.parquet import file_metadata, people_part, person_row

        t, errors = self.task, []
        placed = reconstruct_people(self.reconstructor, block.people, t.focal, errors, mesh=t.mesh, refine=t.refine,
                              hints=t.hints)
        rows = []
        for i, result in placed:
            if t.mesh_formats:
                result.save(t.out, f"{block.stems[i]}_{block.records[i]}", t.mesh_formats, t.frame)
            rows.append(person_row(result, block.inputs[i], block.records[i], t.frame, t.vertices))
        body = self.reconstructor.body
        part = people_part(rows, file_metadata(t.frame, body.bone_names, body.bone_parents, errors), t.vertices)
        return BlockOutcome(block.index, len(block.people), len(rows), errors, part)
