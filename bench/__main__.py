"""`python -m bench`: run every bench/bench_*.py module's main() in name order."""

from __future__ import annotations

import importlib
from pathlib import Path


def run_all() -> None:
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"== {path.stem}", flush=True)
        importlib.import_module(f"bench.{path.stem}").main()


if __name__ == "__main__":
    run_all()
