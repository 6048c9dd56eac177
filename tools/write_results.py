"""Write the README's results block from the committed reports (dev tool).

    python tools/write_results.py            # docs/ -> README.md
"""
from __future__ import annotations

import argparse
from pathlib import Path

from gtrs.eval.summary import replace_block, results_markdown


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--docs", default="docs")
    p.add_argument("--readme", default="README.md")
    args = p.parse_args()
    readme = Path(args.readme)
    readme.write_text(replace_block(readme.read_text(), results_markdown(args.docs)))
    print(f"wrote the results block of {readme}")


if __name__ == "__main__":
    main()
