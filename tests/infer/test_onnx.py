import torch

from gtrs.export.onnx import OnnxModel, export_onnx
from gtrs.infer.predictor import Reconstructor
from gtrs.models import create_model
from gtrs.train.loop import front_view_template


def test_onnx_export_matches_pytorch_and_serves_the_reconstructor(anny_body, tmp_path):
    torch.manual_seed(0)
    model = create_model("cpu", front_view_template(anny_body)).eval()
    path = tmp_path / "gtrs.onnx"
    report = export_onnx(model, path)
    assert report["max_vertex_diff_m"] <= 1e-4
    kp = torch.rand(7, 19, 3) * 300  # a batch size the export never saw
    kp[..., 2] = 1.0
    with torch.no_grad():
        ref, ref_pose = model(kp)
    got, pose = OnnxModel(path)(kp)
    assert got.shape == ref.shape and (got - ref).abs().max() <= 1e-4 and (pose - ref_pose).abs().max() <= 1e-4
    a = Reconstructor(model, body=anny_body)(kp.numpy(), focal=1000.0)
    b = Reconstructor(model, body=anny_body, onnx_path=str(path))(kp.numpy(), focal=1000.0)
    assert max(abs(x.vertices - y.vertices).max() for x, y in zip(a, b)) <= 1e-4
