import pytest
import torch

from gtrs.models import create_model
from gtrs.models.gtrs import VertexAxisConv


@pytest.mark.parametrize("joint_set, official", [("coco19", 7_887_393), ("h36m17", 7_651_615)])
def test_paper_config_has_the_official_parameter_count_on_smpl_size_meshes(joint_set, official):
    model = create_model("paper", torch.zeros(6890, 3), joint_set)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert abs(trainable - official) / official < 0.005, trainable
    pam = sum(p.numel() for p in model.pam.parameters() if p.requires_grad)
    assert pam == {"coco19": 3_442_898, "h36m17": 3_318_514}[joint_set]


@pytest.mark.parametrize("config", ["paper", "cpu", "cpu_missing"])
def test_forward_backward_reaches_every_parameter(config):
    torch.manual_seed(0)
    template = torch.randn(301, 3)  # 3V not a multiple of the token count: exercises the padding
    model = create_model(config, template).eval()  # no stochastic depth: every branch must carry gradient
    keypoints = torch.rand(3, 19, 3) * 400
    vertices, pose = model(keypoints)
    assert vertices.shape == (3, 301, 3) and pose.shape == (3, 19, 3)
    (vertices.square().mean() + pose.square().mean()).backward()
    # A G_Block's fusion bias adds one constant to every feature right before a LayerNorm over the
    # features, so its gradient is zero up to rounding (it was exactly 0 or ~1e-7 depending on the
    # thread count): it must be reached, not move.
    shifted_away = {n for n in dict(model.named_parameters()) if n.endswith("fuse.bias")}
    unreached = [n for n, p in model.named_parameters() if p.grad is None]
    dead = [n for n, p in model.named_parameters() if n not in shifted_away and p.grad.abs().sum() == 0]
    assert not unreached and not dead, (unreached, dead)


def test_input_is_invariant_to_image_position_and_scale_and_handles_missing_joints():
    torch.manual_seed(0)
    model = create_model("cpu", torch.randn(200, 3)).eval()
    kp = torch.rand(2, 19, 3) * 300
    kp[..., 2] = 1.0
    moved = kp.clone()
    moved[..., :2] = kp[..., :2] * 2.5 + torch.tensor([100.0, -40.0])
    v1, _ = model(kp)
    v2, _ = model(moved)
    torch.testing.assert_close(v1, v2, atol=1e-4, rtol=1e-4)
    missing = kp.clone()
    missing[0, 3] = torch.tensor([1e6, -1e6, 0.0])  # a missing joint's coordinates are ignored
    missing[0, 3, 2] = 0.0
    v3, _ = model(missing)
    kp2 = missing.clone()
    kp2[0, 3, :2] = 0.0
    torch.testing.assert_close(v3, model(kp2)[0])
    assert torch.isfinite(v3).all()


def test_missing_channel_variant_starts_as_the_faithful_network_and_then_sees_missing_joints():
    torch.manual_seed(0)
    faithful = create_model("cpu", torch.randn(200, 3)).eval()
    variant = create_model("cpu_missing", torch.zeros(200, 3)).eval()
    variant.load_state_dict(faithful.state_dict())  # an (x, y) checkpoint: the new channel starts at zero
    assert variant.pam.embed.weight.shape[1] == 3 and variant.pam.embed.weight[:, 2].abs().sum() == 0
    kp = torch.rand(2, 19, 3) * 300
    kp[..., 2] = 1.0
    kp[0, 5, 2] = 0.0  # one missing joint
    with torch.no_grad():
        torch.testing.assert_close(variant(kp)[0], faithful(kp)[0])
        variant.pam.embed.weight[:, 2].normal_()
        # Trained, the channel changes the person with a missing joint and leaves the fully visible one alone.
        assert not torch.allclose(variant(kp)[0][0], faithful(kp)[0][0], atol=1e-5)
        torch.testing.assert_close(variant(kp)[0][1], faithful(kp)[0][1])


def test_unknown_config_lists_the_valid_ones():
    with pytest.raises(ValueError, match="expected one of"):
        create_model("huge", torch.zeros(10, 3))


def test_vertex_axis_conv_matches_torch_conv1d_forward_and_backward():
    torch.manual_seed(0)
    fast = VertexAxisConv(7, 3)
    reference = torch.nn.Conv1d(7, 3, kernel_size=3, padding=1)
    reference.load_state_dict(fast.state_dict())
    x = torch.randn(2, 7, 50, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    torch.testing.assert_close(fast(x), reference(x_ref))
    fast(x).square().sum().backward()
    reference(x_ref).square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad)
    torch.testing.assert_close(fast.weight.grad, reference.weight.grad)


def test_inference_by_vertex_chunks_equals_the_training_path():
    torch.manual_seed(0)
    model = create_model("cpu", torch.randn(1300, 3)).eval()  # 1300 vertices: 3 chunks, the last one short
    keypoints = torch.rand(4, 19, 3) * 400
    with torch.no_grad():
        chunked, _ = model(keypoints)
    with torch.enable_grad():
        whole, _ = model(keypoints)
    torch.testing.assert_close(chunked, whole.detach(), atol=1e-6, rtol=1e-5)
