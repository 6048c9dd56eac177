"""Shared fixtures: expensive objects are built once per session."""
import pytest
import torch


@pytest.fixture(scope="session")
def anny_body():
    """The default body model (the first build in a fresh machine fills anny's cache, ~1-2 min)."""
    from gtrs.body.anny import AnnyBody

    torch.set_num_threads(2)
    return AnnyBody()
