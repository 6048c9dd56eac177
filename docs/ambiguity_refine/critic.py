"""A learned choice among the refinement's starts (issue #30, session 16): tried on validation, not shipped
(README.md of this folder, "A learned start critic"). Imported by critic_data.py, critic_eval.py and
critic_groups.py.

The refinement from several starts (``gtrs.fit.multi_start``) ends with a few bodies per person, and the
single-start refinement (``gtrs.fit.keypoints``) gives one more. Kept by their objective (robust reprojection
+ joint limits), the lifted starts win with exact keypoints and lose badly with a detector's. The critic is a
small MLP that scores each candidate from where its joints land against the keypoints (per-joint residuals in
trunk lengths), the objective's terms, and whether it is the single-start refinement; each person keeps its
best-scored candidate. Trained on synthetic people of the training split (exact and detector-noise keypoints,
ordinary and ambiguity-prone views), each person's candidates ranked by their true PA-MPJPE.
"""
from dataclasses import dataclass

import torch
from torch import nn

from gtrs.body.base import BodyModel
from gtrs.fit.keypoints import RefinedBody, RefineObjective, refine_to_keypoints
from gtrs.fit.mesh import BodyFit
from gtrs.fit.multi_start import MultiStartConfig, refined_starts
from gtrs.fit.pose_prior import PosePrior

PELVIS, NECK = 17, 18  # COCO-19
TERM_NAMES = ("reprojection", "network_xy", "network_depth", "pose_prior", "limits")
NUM_FEATURES = 19 * 3 + len(TERM_NAMES) + 1


def candidate_features(joints: torch.Tensor, network_joints: torch.Tensor, keypoints: torch.Tensor,
                       focal: torch.Tensor, principal: torch.Tensor, terms: torch.Tensor,
                       single_start: torch.Tensor) -> torch.Tensor:
    """(N, NUM_FEATURES) features of N candidates: from their camera-frame COCO-19 joints (N, 19, 3),
    their person's network joints (N, 19, 3; its trunk sets the scale), keypoints (N, 19, 3) pixels +
    confidence, focal (N,), principal (N, 2), objective terms (N, 5) in ``TERM_NAMES`` order, and
    whether each is the single-start refinement (N,)."""
    net = network_joints - network_joints[:, PELVIS:PELVIS + 1]
    trunk = net[:, NECK].norm(dim=-1).clamp(min=0.1)  # (N,) metres
    depth = joints[..., 2:].clamp(min=0.1)
    pixels = joints[..., :2] / depth * focal[:, None, None] + principal[:, None]
    seen = (keypoints[..., 2:] > 0).to(joints.dtype)
    trunk_px = (trunk * focal / depth[:, PELVIS, 0]).clamp(min=1.0)[:, None, None]  # the trunk in pixels
    residual = ((pixels - keypoints[..., :2]) / trunk_px * seen).clamp(-3, 3)
    return torch.cat([torch.cat([residual, seen], -1).flatten(1), torch.log1p(terms.clamp(min=0)),
                      single_start[:, None].to(joints.dtype)], 1)


class StartCritic(nn.Module):
    """Scores (N, F) candidate features: higher is more likely the right body."""

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(NUM_FEATURES)
        self.mlp = nn.Sequential(nn.Linear(NUM_FEATURES, hidden), nn.GELU(), nn.Linear(hidden, 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.norm(features))[:, 0]

    @classmethod
    def load(cls, path: str) -> "StartCritic":
        from safetensors.torch import load_file

        critic = cls()
        critic.load_state_dict(load_file(path))
        return critic.eval()


def best_by_critic(critic: StartCritic, person: torch.Tensor, features: torch.Tensor, people: int) -> torch.Tensor:
    """(people,) the index of each person's highest-scoring candidate."""
    with torch.no_grad():
        score = critic(features.float())
    order = torch.argsort(-score)
    grouped = order[torch.argsort(person[order], stable=True)]
    counts = torch.bincount(person, minlength=people)
    return grouped[torch.cumsum(counts, 0) - counts]


@dataclass(frozen=True)
class CriticTraining:
    steps: int = 800
    lr: float = 1e-3
    weight_decay: float = 1e-2
    people_per_step: int = 256
    temperature_mm: float = 5.0  # the target: a softmax over each person's candidates of -PA-MPJPE / this


def ranking_loss(scores: torch.Tensor, errors: torch.Tensor, person: torch.Tensor, people: int,
                 temperature_mm: float) -> torch.Tensor:
    """Cross-entropy between each person's softmax of ``scores`` and the softmax of -errors / T."""
    def log_softmax_by(x: torch.Tensor) -> torch.Tensor:
        top = torch.full((people,), -torch.inf, dtype=x.dtype).scatter_reduce(0, person, x, "amax")
        e = (x - top[person]).exp()
        return x - top[person] - torch.zeros(people, dtype=x.dtype).index_add(0, person, e).log()[person]

    target = log_softmax_by(-errors / temperature_mm).exp()
    return -(target * log_softmax_by(scores)).sum() / people


def train_critic(features: torch.Tensor, errors: torch.Tensor, person: torch.Tensor,
                 cfg: CriticTraining = CriticTraining(), seed: int = 0, show_progress: bool = True) -> StartCritic:
    """Fit a critic to (N, F) candidate features, their (N,) true errors (mm) and (N,) person ids."""
    from tqdm import tqdm

    torch.manual_seed(seed)
    critic = StartCritic()
    opt = torch.optim.AdamW(critic.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.steps)
    people = int(person.max()) + 1
    g = torch.Generator().manual_seed(seed)
    for _ in tqdm(range(cfg.steps), desc="critic", disable=not show_progress):
        chosen = torch.zeros(people, dtype=torch.bool)
        chosen[torch.randperm(people, generator=g)[:cfg.people_per_step]] = True
        rows = chosen[person]
        _, local = torch.unique(person[rows], return_inverse=True)
        loss = ranking_loss(critic(features[rows]), errors[rows], local, int(local.max()) + 1, cfg.temperature_mm)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return critic.eval()




def collect_candidates(body, model, fitter, rotations: torch.Tensor, batches: int, generator: torch.Generator,
                       batch_size: int = 32, show_progress: bool = True) -> dict[str, torch.Tensor]:
    """Candidates of ``batches`` x ``batch_size`` synthetic people posed by ``rotations`` (every other
    batch seen from 0-35 degrees above, as the ambiguity probe sees people; half exact, half
    detector-noise keypoints): their ``features``, true ``errors`` (PA-MPJPE, mm), ``person`` ids,
    whether each person was ``noisy`` and each candidate the ``single`` start."""
    from tqdm import tqdm

    from gtrs.metrics import mesh_metrics
    from gtrs.synthetic.camera import CameraSampling
    from gtrs.synthetic.pairs import network_inputs, targets
    from gtrs.synthetic.synth import SynthConfig, synthesize_batch

    rows: dict[str, list] = {"features": [], "errors": [], "person": [], "noisy": [], "single": []}
    for b in tqdm(range(batches), desc="critic candidates", disable=not show_progress):
        cfg = SynthConfig(camera=CameraSampling(elevation_range=(0.0, 35.0))) if b % 2 else SynthConfig()
        ex = synthesize_batch(body, rotations[torch.randint(0, len(rotations), (batch_size,), generator=generator)],
                              generator, cfg)
        noisy = torch.rand(batch_size, generator=generator) < 0.5
        keypoints = network_inputs(ex, "coco19", noisy, generator)
        with torch.no_grad():
            network = model(keypoints)[0]
        person, cands, features = lifted_candidates(body, fitter(network), network, keypoints, ex["focal"],
                                                    ex["principal"])
        v = cands.vertices - body.regress_joints(cands.vertices, "h36m17")[:, :1]
        _, truth = targets(ex, "coco19")
        errors = mesh_metrics(v, ex["vertices"][person], body.regress_joints(v, "h36m17"), truth[person])["pa_mpjpe"]
        rows["features"].append(features.float())
        rows["errors"].append(errors.float())
        rows["person"].append(person + b * batch_size)
        rows["noisy"].append(noisy[person])
        rows["single"].append(features[:, -1] > 0.5)
    return {k: torch.cat(v) for k, v in rows.items()}


def picked_errors(critic: StartCritic, data: dict[str, torch.Tensor]) -> dict[str, float]:
    """Mean PA-MPJPE (mm) of the candidates the critic keeps, the single-start refinement's and the best
    candidate's, for exact and noisy keypoints."""
    person, errors = data["person"], data["errors"]
    _, person = torch.unique(person, return_inverse=True)
    people = int(person.max()) + 1
    pick = best_by_critic(critic, person, data["features"], people)
    single = torch.nonzero(data["single"]).flatten()[torch.argsort(person[data["single"]])]
    best = torch.full((people,), torch.inf).scatter_reduce(0, person, errors, "amin")
    noisy = torch.zeros(people, dtype=torch.bool).scatter(0, person, data["noisy"])
    out = {}
    for label, m in (("exact", ~noisy), ("noisy", noisy)):
        out |= {f"{label}_critic": float(errors[pick][m].mean()), f"{label}_single": float(errors[single][m].mean()),
                f"{label}_best": float(best[m].mean())}
    return out


def lifted_candidates(body: BodyModel, fit: BodyFit, network_vertices: torch.Tensor, keypoints: torch.Tensor,
                      focal: torch.Tensor, principal: torch.Tensor, cfg: MultiStartConfig = MultiStartConfig(),
                      prior: PosePrior | None = None,
                      held: tuple[int, ...] = ()) -> tuple[torch.Tensor, RefinedBody, torch.Tensor]:
    """Every person's candidates: the refined starts and the single-start refinement (the last B).
    Returns the (N,) person of each, the N bodies with the objective's terms at the refinement's
    default weights, and their (N, F) features for the critic (``gtrs.fit.start_critic``)."""
    dtype = body.dtype
    keypoints, focal, principal = keypoints.to(dtype), focal.to(dtype), principal.to(dtype)
    person, lifted = refined_starts(body, fit, network_vertices, keypoints, focal, principal, cfg, prior, held)
    single = refine_to_keypoints(body, fit, network_vertices, keypoints, focal, principal, prior=prior, held=held)
    B = len(keypoints)
    person = torch.cat([person, torch.arange(B)])
    rotations, shape = torch.cat([lifted.rotations, single.rotations]), torch.cat([lifted.shape, single.shape])
    vertices = torch.cat([lifted.vertices, single.vertices])
    with torch.no_grad():
        joints = body.regress_joints(vertices, "coco19")
        objective = RefineObjective(body, network_vertices[person], keypoints[person], focal[person],
                                    principal[person], shape, prior=prior)
        terms = objective.terms(rotations, shape, joints)
        features = candidate_features(joints, body.regress_joints(network_vertices.to(dtype), "coco19")[person],
                                      keypoints[person], focal[person], principal[person],
                                      torch.stack([getattr(terms, n) for n in TERM_NAMES], -1),
                                      torch.arange(len(person)) >= len(person) - B)
    bodies = RefinedBody(rotations, shape, torch.cat([lifted.translation, single.translation]), vertices,
                         objective.reprojection_px(joints), torch.cat([lifted.bone_heads, single.bone_heads]), terms)
    return person, bodies, features
