"""Metrics log of a run: one JSON object per line (``metrics.jsonl``), the same rows in CSV
(``metrics.csv``), and the training curves (``curves.png``).

Example:
    >>> import tempfile
    >>> from dynn.experiments.metrics import MetricsLog
    >>> log = MetricsLog(tempfile.mkdtemp())
    >>> log.append({"step": 1, "split": "train", "loss": 2.5})
    >>> log.append({"step": 1, "split": "dev", "accuracy": 0.4})
    >>> [row["split"] for row in log.rows()]
    ['train', 'dev']
"""

import csv
import io
import json
import pathlib
from typing import Dict, List

from .run_directory import write_text

__all__ = ["MetricsLog", "plot_curves"]


class MetricsLog:
    """Append-only metrics of a run directory.

    Rows are dictionaries with at least ``step`` and ``split``. On resume, rows after the resumed
    step are dropped (:meth:`truncate`), so the log matches an uninterrupted run.
    """

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.jsonl_path = self.directory / "metrics.jsonl"
        self.csv_path = self.directory / "metrics.csv"

    def rows(self) -> List[Dict]:
        """All rows logged so far (a torn last line, from a killed run, is ignored)."""
        if not self.jsonl_path.exists():
            return []
        rows = []
        for line in self.jsonl_path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break
        return rows

    def append(self, row: Dict) -> None:
        """Add a row to the JSONL log and rewrite the CSV."""
        if "step" not in row or "split" not in row:
            raise ValueError(f"metrics rows need 'step' and 'split', got {sorted(row)}")
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.jsonl_path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(row, sort_keys=True) + "\n")
        self._write_csv(self.rows())

    def truncate(self, step: int) -> None:
        """Drop rows logged after ``step`` (used when resuming from a checkpoint at ``step``)."""
        rows = [row for row in self.rows() if row["step"] <= step]
        write_text(self.jsonl_path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
        self._write_csv(rows)

    def _write_csv(self, rows: List[Dict]) -> None:
        columns = ["step", "split"] + sorted({k for r in rows for k in r} - {"step", "split"})
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_text(self.csv_path, buffer.getvalue())


def plot_curves(rows: List[Dict], path, metric: str) -> None:
    """Plot the training loss and the dev ``metric`` against the step into ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [(r["step"], r["loss"]) for r in rows if r["split"] == "train" and "loss" in r]
    dev = [(r["step"], r[metric]) for r in rows if r["split"] == "dev" and metric in r]
    figure, (loss_axis, metric_axis) = plt.subplots(1, 2, figsize=(10, 3.5))
    if train:
        loss_axis.plot(*zip(*train), color="tab:blue")
    loss_axis.set(xlabel="step", ylabel="training loss", title="loss")
    if dev:
        metric_axis.plot(*zip(*dev), marker="o", color="tab:orange")
    metric_axis.set(xlabel="step", ylabel=f"dev {metric}", title=f"dev {metric}")
    for axis in (loss_axis, metric_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.name}.tmp.png")
    figure.savefig(temporary, dpi=100)
    plt.close(figure)
    temporary.replace(path)
