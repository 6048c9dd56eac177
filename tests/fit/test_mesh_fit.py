"""The body fit to a mesh: its Gauss-Newton system is the true one, and it recovers known bodies."""
import pytest
import roma
import torch

from gtrs.fit.mesh import MeshFitConfig, MeshFitter, _turn_bones


@pytest.fixture(scope="module")
def fitter(anny_body):
    return MeshFitter(anny_body, MeshFitConfig(vertex_stride=16))


def _random_bodies(body, n, degrees, seed):
    g = torch.Generator().manual_seed(seed)
    rotvecs = torch.randn(n, body.num_bones, 3, generator=g) * torch.deg2rad(torch.tensor(degrees))
    rotvecs[:, 0] = torch.randn(n, 3, generator=g)  # any global orientation
    shape = body.default_shape(n) + 0.3 * (torch.rand(n, body.shape_dim, generator=g) - 0.5)
    translation = torch.randn(n, 3, generator=g)
    return roma.rotvec_to_rotmat(rotvecs), shape.clamp(0, 1), translation


def test_turn_moves_the_subtree_rigidly_about_the_bone_head(anny_body, fitter):
    rotations, shape, translation = _random_bodies(anny_body, 2, 20.0, seed=1)
    before = anny_body(rotations, shape, translation)
    k = anny_body.bone_names.index("LeftForeArm")
    turns = torch.zeros(2, anny_body.num_bones, 3)
    turns[:, k] = torch.tensor([0.3, -0.2, 0.1])
    after = anny_body(_turn_bones(fitter.skeleton, rotations, turns), shape, translation)
    E = roma.rotvec_to_rotmat(turns[:, k])
    head = before.bone_heads[:, k]
    hand = anny_body.bone_names.index("LeftHand")
    expected = head + ((before.bone_heads[:, hand] - head)[:, None] @ E.transpose(1, 2))[:, 0]
    assert torch.allclose(after.bone_heads[:, hand], expected, atol=1e-5)
    untouched = anny_body.bone_names.index("RightHand")
    assert torch.allclose(after.bone_heads[:, untouched], before.bone_heads[:, untouched], atol=1e-6)


def _explicit_jacobian(fitter, verts, heads):
    """(1, S, 3, 3K + 3) the turn and translation columns, built vertex by vertex."""
    s = fitter.subtree_weights.double()
    arms = verts[:, :, None] - heads[:, None]  # (1, S, K, 3)
    basis = torch.eye(3, dtype=torch.float64)
    turn = torch.cross(basis[None, None, None].expand(*arms.shape[:3], 3, 3), arms[..., None, :].expand(*arms.shape[:3], 3, 3), dim=-1)
    turn = s[None, :, :, None, None] * turn  # (1, S, K, axis, xyz): d v / d turn_k[axis] = s_ik e_axis x a_ik
    cols = turn.permute(0, 1, 4, 2, 3).reshape(1, verts.shape[1], 3, -1)
    return torch.cat([cols, basis.expand(1, verts.shape[1], 3, 3)], dim=-1)


def test_gauss_newton_system_is_the_skinning_jacobian(anny_body, fitter):
    """H and g from the moment expansion equal J^T J and J^T r of the explicit Jacobian, and that
    Jacobian matches finite differences of the body (first-order LBS: within a few percent)."""
    rotations, shape, translation = _random_bodies(anny_body, 1, 20.0, seed=2)
    out = anny_body(rotations, shape, translation)
    verts, heads = out.vertices[:, fitter.sample].double(), out.bone_heads.double()
    g = torch.Generator().manual_seed(0)  # a fixed draw: the test once failed on the unseeded global one
    residual = torch.randn(verts.shape, dtype=torch.float64, generator=g)
    robust = torch.rand(verts.shape[:2], dtype=torch.float64, generator=g)
    H, g = fitter._normal_equations(verts, heads, residual, robust, None)
    J = _explicit_jacobian(fitter, verts, heads)
    assert torch.allclose(H, torch.einsum("bsxp,bs,bsxq->bpq", J, robust, J), rtol=1e-9, atol=1e-9)
    assert torch.allclose(g, torch.einsum("bsxp,bs,bsx->bp", J, robust, residual), rtol=1e-9, atol=1e-9)
    K = anny_body.num_bones
    for k, axis in [(0, 1), (anny_body.bone_names.index("LeftUpLeg"), 0), (anny_body.bone_names.index("Head"), 2)]:
        turns = torch.zeros(1, K, 3)
        turns[0, k, axis] = 1e-2
        plus, minus = (anny_body(_turn_bones(fitter.skeleton, rotations, sign * turns), shape, translation)
                       .vertices[:, fitter.sample].double() for sign in (1, -1))
        column = (plus - minus) / 2e-2  # central differences: float32 bodies need the larger step
        expected = J[..., 3 * k + axis]
        assert (column - expected).norm() < 0.1 * expected.norm()


def test_fit_recovers_known_bodies(anny_body, fitter):
    """Bodies posed on every bone the mesh shows well (the weakly seen ones, held near rest by the
    fit's prior, stay at rest here) are recovered to the millimetre."""
    rotations, shape, translation = _random_bodies(anny_body, 4, 25.0, seed=3)
    weak = fitter.prior > fitter.cfg.rotation_prior
    rotations[:, weak] = torch.eye(3)
    target = anny_body(rotations, shape, translation).vertices
    fit = fitter(target)
    assert fit.distance_mm.max() < 3.0  # the body can fit itself to the millimetre
    assert fit.vertices.shape == target.shape and fit.rotations.shape == rotations.shape
    # the fitted parameters reproduce the fitted mesh
    again = anny_body(fit.rotations, fit.shape, fit.translation).vertices
    assert torch.allclose(again, fit.vertices, atol=1e-5)


def test_fit_ignores_wild_vertices(anny_body, fitter):
    """Spikes on a few hundred vertices (as a torn network mesh has) barely move the fitted body."""
    rotations, shape, translation = _random_bodies(anny_body, 2, 20.0, seed=4)
    rotations[:, fitter.prior > fitter.cfg.rotation_prior] = torch.eye(3)  # as in the recovery test
    clean = anny_body(rotations, shape, translation).vertices
    spiky = clean.clone()
    g = torch.Generator().manual_seed(0)
    picked = torch.randperm(clean.shape[1], generator=g)[:300]
    spiky[:, picked] += 0.5 * torch.randn(2, 300, 3, generator=g)
    fit = fitter(spiky)
    assert (fit.vertices - clean).norm(dim=-1).median() < 0.005


def test_fitted_body_is_never_torn_even_on_a_wild_target(anny_body, fitter):
    """A target with every vertex thrown 20 cm about (a network mesh with little input) still gives
    a sound body: no more than 1% of edges stretched or shrunk 3x."""
    from gtrs.body.mesh_quality import torn_meshes

    rotations, shape, translation = _random_bodies(anny_body, 4, 30.0, seed=6)
    target = anny_body(rotations, shape, translation).vertices
    g = torch.Generator().manual_seed(1)
    target = target + 0.2 * torch.randn(target.shape, generator=g)
    fit = fitter(target)
    assert torn_meshes(target, fitter.rest_lengths, fitter.edges).all()  # the target is torn
    assert not torn_meshes(fit.vertices, fitter.rest_lengths, fitter.edges).any()


def test_the_shape_prior_is_a_neutral_thirty_year_old(anny_body):
    from gtrs.body.anny import PHENOTYPE_NAMES

    mean, strength = anny_body.shape_prior()
    gender, age = PHENOTYPE_NAMES.index("gender"), PHENOTYPE_NAMES.index("age")
    assert mean[gender] == 0.5 and float(anny_body.years_of_age(float(mean[age]))) == pytest.approx(30.0, abs=0.5)
    assert strength[gender] > 0 and strength[age] > 0 and (strength[2:] == 0).all()


def test_the_shape_prior_pulls_what_the_mesh_says_little_about_and_hints_still_hold(anny_body):
    """A woman of 80 seen in an exact mesh: with the prior, gender and age come out nearer a neutral
    30-year-old than without it, the mesh still matched; a hint holds its value exactly."""
    from gtrs.body.anny import PHENOTYPE_NAMES

    gender, age = PHENOTYPE_NAMES.index("gender"), PHENOTYPE_NAMES.index("age")
    rotations, shape, translation = _random_bodies(anny_body, 4, 15.0, seed=7)
    shape[:, gender], shape[:, age] = 0.95, float(anny_body.age_parameter(80.0))
    target = anny_body(rotations, shape, translation).vertices
    free = MeshFitter(anny_body, MeshFitConfig(body_prior=0.0))(target)
    pulled = MeshFitter(anny_body)(target)
    mean, _ = anny_body.shape_prior()
    for k in (gender, age):
        assert ((pulled.shape[:, k] - mean[k]).abs() < (free.shape[:, k] - mean[k]).abs()).all(), PHENOTYPE_NAMES[k]
    assert pulled.distance_mm.max() < 15.0  # the body still lies on the mesh
    held = MeshFitter(anny_body)(target, fixed={gender: torch.full((4,), 0.95)})
    assert torch.equal(held.shape[:, gender], torch.full((4,), 0.95))
