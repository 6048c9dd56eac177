"""Body-model layer: the BodyModel interface, anny (default, open) and SMPL (user-provided files)."""
from gtrs.body.base import BodyModel, BodyOutput
from gtrs.body.joints import JOINT_SETS, JointSet, get_joint_set, graph_adjacency


def create_body(name: str = "anny", **kwargs) -> BodyModel:
    """Build a body model by name: ``"anny"`` (default, ships with the package) or ``"smpl"``
    (needs ``model_dir=`` with the licensed SMPL files)."""
    if name == "anny":
        from gtrs.body.anny import AnnyBody

        return AnnyBody(**kwargs)
    if name == "smpl":
        from gtrs.body.smpl import SmplBody

        return SmplBody(**kwargs)
    raise ValueError(f"unknown body model {name!r}; expected 'anny' or 'smpl'")


__all__ = ["BodyModel", "BodyOutput", "JOINT_SETS", "JointSet", "create_body", "get_joint_set", "graph_adjacency"]
