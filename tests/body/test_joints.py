import pytest
import torch

from gtrs.body.symmetry import mirror_name
from gtrs.body.joints import COCO19, H36M17, JOINT_SETS, get_joint_set, graph_adjacency


def connected(num_nodes, edges):
    seen, stack = {0}, [0]
    neighbours = {i: set() for i in range(num_nodes)}
    for i, j in edges:
        neighbours[i].add(j)
        neighbours[j].add(i)
    while stack:
        for n in neighbours[stack.pop()] - seen:
            seen.add(n)
            stack.append(n)
    return len(seen) == num_nodes


@pytest.mark.parametrize("name", sorted(JOINT_SETS))
def test_every_joint_set_is_connected_with_valid_edges_and_pairs(name):
    js = get_joint_set(name)
    assert len(set(js.names)) == js.num_joints
    for i, j in js.edges:
        assert 0 <= i < js.num_joints and 0 <= j < js.num_joints and i != j
    assert len({frozenset(e) for e in js.edges}) == len(js.edges), "duplicate edge"
    assert connected(js.num_joints, js.edges)
    for left, right in js.flip_pairs:
        assert mirror_name(js.names[left]) == js.names[right] != js.names[left]
    perm = js.flip_permutation()
    assert [perm[p] for p in perm] == list(range(js.num_joints))


def test_declared_graph_shapes():
    # H36M is a tree (J - 1 edges); the paper's COCO-19 graph has 19 edges (one cycle through the eyes).
    assert len(H36M17.edges) == H36M17.num_joints - 1
    assert len(COCO19.edges) == 19
    assert (5, 6) not in COCO19.edges and (11, 12) not in COCO19.edges
    assert COCO19.names[COCO19.root] == "pelvis" and H36M17.names[H36M17.root] == "pelvis"


def test_adjacency_has_edges_flip_pairs_and_self_loops():
    adj = graph_adjacency(H36M17)
    assert torch.equal(adj, adj.T)
    assert torch.all(adj.diagonal() == 1)
    assert adj[1, 2] == 1 and adj[1, 4] == 1  # hip-knee edge and left/right hip pair
    assert adj[3, 16] == 0
    assert adj.sum() == H36M17.num_joints + 2 * (len(H36M17.edges) + len(H36M17.flip_pairs))


def test_unknown_joint_set_lists_valid_names():
    with pytest.raises(ValueError, match="coco19"):
        get_joint_set("smpl99")
    with pytest.raises(ValueError, match="no joint 'tail'"):
        COCO19.index("tail")
