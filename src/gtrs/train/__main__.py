"""``python -m gtrs.train CONFIG.yaml [--resume]`` (the entry point torchrun runs)."""
from __future__ import annotations

import argparse
import sys

from gtrs.train.config import TrainConfig
from gtrs.train.loop import train


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gtrs.train", description=__doc__)
    parser.add_argument("config", help="YAML file of TrainConfig fields")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/last.safetensors")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many steps in total")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after this many minutes in total")
    parser.add_argument("--device", default=None, help="override the config's device (cpu, cuda)")
    args = parser.parse_args(argv)
    try:
        cfg = TrainConfig.from_yaml(args.config, max_steps=args.max_steps, max_minutes=args.max_minutes,
                                    device=args.device)
        train(cfg, resume=args.resume)
    except (FileNotFoundError, ValueError) as e:  # bad configs, data, corrupt checkpoints, divergence
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
