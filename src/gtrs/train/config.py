"""TrainConfig: every knob of a training run, saved in each checkpoint and loadable from YAML."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError


@dataclass(frozen=True)
class TrainConfig:
    data: str  # folder made by `gtrs data build`
    out: str  # run folder: checkpoints, logs
    model: str = "cpu"  # 'paper' or 'cpu' (gtrs.models.CONFIGS)
    joint_set: str = "coco19"
    stage: str = "full"  # 'pam' (pre-train the Pose Analysis Module alone) or 'full'
    init_from: str | None = None  # checkpoint to start from (e.g. the PAM stage's best)
    epochs: int = 30
    steps_per_epoch: int = 200
    batch_size: int = 64
    lr: float = 1e-4
    weight_decay: float = 0.0
    milestones: tuple[int, ...] = (20, 40, 60, 80)  # epochs at which lr *= gamma
    gamma: float = 0.95
    noisy_input: float = 1.0  # fraction of examples fed detector-noise keypoints (paper: all)
    # Validation metric that picks best.safetensors: '<exact|noisy|mean>/<metric>', 'mean' averaging the
    # exact-2D and noisy-2D values; None = 'noisy/pa_mpjpe' ('noisy/pam_mpjpe' in the PAM stage).
    best_metric: str | None = None
    # Synthetic data: probability that each body part of a training pose takes its joint rotations
    # from another pose of the batch (gtrs.synthetic.part_mixing); 0 trains on the captured poses only.
    part_mixing: float = 0.0
    # Fraction of training poses drawn from the posture families (gtrs.synthetic.postures) instead of the
    # capture, and the std (degrees) by which captured poses are perturbed inside the joint limits.
    generated_poses: float = 0.0
    perturb_degrees: float = 0.0
    # Views and visibility (gtrs.synthetic.synth, gtrs.synthetic.visibility): 'default' cameras (elevation
    # -15..40 deg, body 45-90% of the image) or 'wide' (-30..75 deg, 15-90%); per-example
    # probabilities of a framing cut (knees/hips/chest), a hidden limb and a hidden side.
    camera: str = "default"
    framing_cut: float = 0.0
    limb_hidden: float = 0.0
    side_hidden: float = 0.0
    # Training bodies: 'adults' (average-centred adults), 'every' (anny's whole range: children to
    # the old, both genders and in between, light to heavy, short to tall) or 'mixed' (mostly the
    # first, some of the second; gtrs.synthetic.synth).
    bodies: str = "adults"
    # Network forward pass in training: 'auto' (bfloat16 autocast where the CPU supports it), 'float32', 'bfloat16'.
    precision: str = "auto"
    # Fraction of the mesh's faces (and edges) the normal and edge losses see each step: 1.0 is the
    # paper; less is an unbiased, cheaper estimate (a random subset drawn every step).
    surface_loss_fraction: float = 1.0
    # The edge-length loss joins at this epoch (paper: 2, i.e. after one of its epochs of ~540k
    # samples; our epochs are far shorter, so CPU configs start it later).
    edge_from_epoch: int = 2
    edge_weight: float = 20.0  # the paper's
    # Mesh-joint loss weight on metres (paper: 0.0012 per mm in the COCO-joint/3DPW config, 0.001 for
    # Human3.6M); the PAM-joint term gets half of it.
    joint_loss_weight: float = 1.2
    val_batches: int = 4
    checkpoint_every: int = 50  # steps
    seed: int = 0
    threads: int = 2
    # Where the network and the body model run: 'cpu' or 'cuda' ('cuda:N'). The random draws of the
    # data stay on the CPU, so a run resumes exactly on either.
    device: str = "cpu"
    # Worker processes that make the synthetic training batches (0: the training process draws them).
    # With workers, each step's batch comes from its own seed (gtrs.train.batches.StepSeededBatches):
    # for a GPU that one CPU process cannot keep busy. Each worker holds its own CPU body (~1 GB).
    data_workers: int = 0
    max_steps: int | None = None  # stop early (smoke tests, benchmarks)
    # Steps in a row with a non-finite loss or gradient (each skipped) before the run stops with an error.
    max_nonfinite_steps: int = 10
    # The paper's datasets instead of synthetic mocap examples: names from gtrs.datasets.DATASETS,
    # sampled uniformly per example; ``data`` is then the release's data/ folder, the body is SMPL
    # from ``smpl_dir``, and validation uses the test split of ``val_dataset``.
    datasets: tuple[str, ...] = ()
    val_dataset: str | None = None
    smpl_dir: str | None = None
    # Wall-clock training budget in minutes, summed over resumed runs (time spent training steps,
    # validating and checkpointing); the run validates, saves and stops once it is spent. Used to
    # give baselines the same CPU budget as the shipped model.
    max_minutes: float | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.stage not in ("pam", "full"):
            raise ValueError(f"stage must be 'pam' or 'full', got {self.stage!r}")
        if self.data_workers < 0 or (self.data_workers and self.datasets):
            raise ValueError(f"data_workers must be >= 0, and 0 with the paper's datasets; got {self.data_workers}")
        if not 0.0 < self.surface_loss_fraction <= 1.0:
            raise ValueError(f"surface_loss_fraction must lie in (0, 1], got {self.surface_loss_fraction}")
        if not 0.0 <= self.noisy_input <= 1.0:
            raise ValueError(f"noisy_input must lie in [0, 1], got {self.noisy_input}")
        if self.best_metric is not None:
            metrics = ("pam_mpjpe",) if self.stage == "pam" else ("pam_mpjpe", "mpjpe", "pa_mpjpe", "mpvpe")
            valid = [f"{x}/{m}" for x in ("exact", "noisy", "mean") for m in metrics]
            if self.best_metric not in valid:
                raise ValueError(f"best_metric must be one of {valid} in stage {self.stage!r}, got {self.best_metric!r}")
        for name in ("part_mixing", "generated_poses", "framing_cut", "limb_hidden", "side_hidden"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
        if self.bodies not in ("adults", "every", "mixed"):
            raise ValueError(f"bodies must be 'adults', 'every' or 'mixed', got {self.bodies!r}")
        if self.camera not in ("default", "wide"):
            raise ValueError(f"camera must be 'default' or 'wide', got {self.camera!r}")
        if self.precision not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"precision must be 'auto', 'float32' or 'bfloat16', got {self.precision!r}")
        if self.datasets and (self.val_dataset is None or self.smpl_dir is None):
            raise ValueError("training on the paper's datasets needs val_dataset (e.g. 'pw3d') and smpl_dir "
                             "(the folder with the SMPL model files and joint regressors)")
        if self.device != "cpu" and not self.device.split(":")[0] == "cuda":
            raise ValueError(f"device must be 'cpu' or 'cuda' ('cuda:N'), got {self.device!r}")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be positive, got {self.max_minutes}")
        for name in ("epochs", "steps_per_epoch", "batch_size", "checkpoint_every", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["milestones"], d["datasets"] = list(self.milestones), list(self.datasets)
        return d

    @classmethod
    def from_dict(cls, data: dict, source: str = "config", lines: dict[str, int] | None = None) -> "TrainConfig":
        """A validated config: unknown and missing fields, wrong types (``batch_size: four``,
        ``epochs: 1.5``, ``milestones: 5``) and out-of-range values raise one ValueError naming each
        field and, from a YAML file, its line (``lines``: field -> line)."""
        lines = lines or {}
        where = lambda key: f"{source}, line {lines[key]}" if key in lines else source  # noqa: E731
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known, key=str)
        if unknown:
            raise ValueError(f"{where(unknown[0])}: unknown fields {unknown}; valid fields are {sorted(known)}")
        missing = [f for f in ("data", "out") if f not in data]
        if missing:
            raise ValueError(f"{source}: missing required fields {missing}")
        try:
            return TypeAdapter(cls).validate_python(dict(data))
        except ValidationError as e:
            problems = []
            for err in e.errors():
                got = "" if err["type"] == "value_error" else f" (got {err['input']!r})"
                label = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {err['msg'].removeprefix('Value error, ')}{got}" if label else
                                err["msg"].removeprefix("Value error, "))
            # __post_init__'s checks start their message with the field's name
            first = next((str(err["loc"][0]) if err["loc"] else err["msg"].removeprefix("Value error, ").split()[0]
                          for err in e.errors()), "")
            raise ValueError(f"{where(first)}: " + "; ".join(problems)) from None

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides) -> "TrainConfig":
        """Read a YAML file, or a config shipped in the package by name (``gtrs_3dpw``, ``cpu_full``...)."""
        path = resolve_config(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = yaml.safe_load(text) or {}
            root = yaml.compose(text)
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise ValueError(f"{path}: not valid YAML ({str(e).splitlines()[0]})" + _yaml_line(e)) from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of fields, got {type(data).__name__}")
        lines = {k.value: k.start_mark.line + 1 for k, _ in root.value} if isinstance(root, yaml.MappingNode) else {}
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(data, str(path), lines)


def _yaml_line(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None)
    return f" at line {mark.line + 1}" if mark is not None else ""


PACKAGED_CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def packaged_configs() -> list[str]:
    """Names of the configs that ship with the package (gtrs/configs/*.yaml)."""
    return sorted(p.stem for p in PACKAGED_CONFIGS.glob("*.yaml"))


def resolve_config(path: str | Path) -> Path:
    """``path`` if it is a file, else the packaged config of that name; a clear error otherwise."""
    path = Path(path)
    if path.is_file():
        return path
    packaged = PACKAGED_CONFIGS / f"{path.stem}.yaml"
    if path.parent == Path(".") and packaged.is_file():
        return packaged
    raise FileNotFoundError(f"training config {path} not found (neither a file nor a packaged config; "
                            f"packaged: {', '.join(packaged_configs())})")
