"""What the benchmarks share: percentiles of timed samples, and writing a run's report."""

import json
import statistics
from pathlib import Path


def percentiles(samples: list[float], scale: float = 1000.0, unit: str = "ms") -> dict:
    """p50, p95, p99 and max of `samples` (seconds), in `unit` (`scale` units per second), and how many."""
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}

    def nearest_rank(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]

    return {
        f"p50_{unit}": round(statistics.median(ordered) * scale, 3),
        f"p95_{unit}": round(nearest_rank(0.95) * scale, 3),
        f"p99_{unit}": round(nearest_rank(0.99) * scale, 3),
        f"max_{unit}": round(ordered[-1] * scale, 3),
        "n": len(ordered),
    }


def write_report(path: Path, report: dict) -> None:
    """Write a run's report as JSON and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {path}")
