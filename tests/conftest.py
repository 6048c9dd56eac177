"""Shared fixtures: expensive objects are built once per session."""
import pytest
import torch


@pytest.fixture(scope="session")
def anny_body():
    """The default body model (the first build in a fresh machine fills anny's cache, ~1-2 min)."""
    from gtrs.body.anny import AnnyBody

    torch.set_num_threads(2)
    return AnnyBody()


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """A built dataset from three subjects of small BVH clips the tests write."""
    from gtrs.synthetic.build import build_dataset
    from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames

    root = tmp_path_factory.mktemp("tiny_data")
    for subject in ("01", "02", "03"):
        (root / "bvh" / subject).mkdir(parents=True)
        (root / "bvh" / subject / f"{subject}_01.bvh").write_text(
            bvh_text(DAZ, DAZ_END_SITES, random_frames(DAZ, 20, seed=int(subject), degrees=20)))
    build_dataset(root / "bvh", root / "data", seed=0, show_progress=False)
    return root / "data"
