"""ONNX export of GTRS with a dynamic batch, checked by the ONNX checker and by ONNX Runtime
against PyTorch; and an ONNX Runtime model usable wherever the PyTorch one is."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gtrs.atomic import atomic_path


def export_onnx(model: torch.nn.Module, path: str | Path, num_joints: int = 19, check: bool = True,
                opset: int = 17) -> dict:
    """Write ``model`` (keypoints (B, J, 3) pixels -> vertices (B, V, 3), pose3d (B, J, 3)) to ``path``.

    With ``check``, runs the ONNX checker and compares ONNX Runtime with PyTorch on random keypoints
    at two batch sizes; returns {'max_vertex_diff_m': ...}.
    """
    model = model.eval()
    example = torch.rand(2, num_joints, 3) * 400
    example[..., 2] = 1.0
    with atomic_path(path) as tmp:
        torch.onnx.export(model, (example,), str(tmp), input_names=["keypoints"], output_names=["vertices", "pose3d"],
                          dynamic_axes={"keypoints": {0: "batch"}, "vertices": {0: "batch"}, "pose3d": {0: "batch"}},
                          opset_version=opset, dynamo=False)
    report: dict = {}
    if check:
        try:
            import onnx
        except ImportError:
            raise ImportError("checking an ONNX export needs the onnx package: pip install 'gtrs[export]'") from None

        onnx.checker.check_model(str(path))
        session = OnnxModel(path)
        diffs = []
        for batch in (1, 5):
            kp = torch.rand(batch, num_joints, 3) * 500
            kp[..., 2] = 1.0
            with torch.no_grad():
                ref, _ = model(kp)
            got, _ = session(kp)
            diffs.append(float((ref - got).abs().max()))
        report["max_vertex_diff_m"] = max(diffs)
    return report


class OnnxModelError(ValueError):
    """The file is not an ONNX export of the network."""


class OnnxModel:
    """ONNX Runtime stand-in for the PyTorch network: ``(vertices, pose3d) = OnnxModel(path)(keypoints)``."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for unreadable models
            raise OnnxModelError(f"not a loadable ONNX model ({str(e).splitlines()[0][:200]})") from None
        names = [i.name for i in self.session.get_inputs()]
        if names != ["keypoints"]:
            raise OnnxModelError(f"not a gtrs export: its inputs are {names}, expected ['keypoints'] (gtrs export-onnx)")

    def __call__(self, keypoints: torch.Tensor | np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        kp = np.asarray(keypoints.cpu() if isinstance(keypoints, torch.Tensor) else keypoints, dtype=np.float32)
        vertices, pose = self.session.run(None, {"keypoints": kp})
        return torch.from_numpy(vertices), torch.from_numpy(pose)
