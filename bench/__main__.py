"""Run every bench/bench_*.py (or only those named on the command line: `python -m bench films`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main() -> None:
    wanted = set(sys.argv[1:])
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{path.stem}").main()


if __name__ == "__main__":
    main()
