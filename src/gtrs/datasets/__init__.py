"""The paper's licensed datasets (Human3.6M, 3DPW, COCO, MuCo) read from the files of the
GTRS/Pose2Mesh data release, with SMPL meshes built by ``SmplBody`` (gtrs-reference.md §4, §6).

Every loader turns its files into ``PersonRecord`` s (one person in one image: SMPL fit, camera,
annotated joints, detections); ``PaperData`` turns records into batches with the same keys as the
synthetic pipeline (``gtrs.synthetic.synth``), so training and evaluation code is shared.
"""
from gtrs.datasets.records import DatasetFileError, PersonRecord
from gtrs.datasets.registry import DATASETS, load_records

__all__ = ["DATASETS", "DatasetFileError", "PersonRecord", "load_records"]
