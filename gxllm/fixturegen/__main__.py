"""``python -m gxllm.fixturegen OUTDIR``: regenerate the fixture tree."""

from __future__ import annotations

import argparse
from pathlib import Path

from gxllm.fixturegen.generate import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gxllm.fixturegen", description=__doc__)
    parser.add_argument("outdir", type=Path, help="where to write (the repository's fixtures/)")
    parser.add_argument(
        "--seeds", type=Path, help="folder of NAME.txt + NAME.gold.json seed reports (default: OUTDIR/seeds)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed; the same seed writes the same bytes"
    )
    args = parser.parse_args(argv)
    generate(args.outdir, args.seeds or args.outdir / "seeds", args.seed)


if __name__ == "__main__":
    main()
