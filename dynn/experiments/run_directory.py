"""The run directory of an experiment.

Layout::

    RUN_DIR/
      config.yaml           the input config, as given
      overrides.txt         the command-line overrides, one per line
      resolved.yaml         the resolved config (overrides applied, references resolved)
      metadata.json         versions, seed, command, config hash, start time
      metrics.jsonl         one JSON row per log/evaluation
      metrics.csv           the same rows as CSV
      curves.png            training loss and dev metric per step
      checkpoints/          last.{npz,json}, best.{npz,json}
      vocab/                dictionaries built from the training data (JSON)
"""

import datetime
import hashlib
import json
import pathlib
import platform
import sys
from typing import Dict, List, Optional

from ..files import atomic_write
from .checkpoints import write_json

__all__ = ["RunDirectory", "config_hash", "default_run_path"]


def config_hash(text: str) -> str:
    """A short, stable hash of a config's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def default_run_path(config_path, root="runs") -> pathlib.Path:
    """``runs/<config name>-<timestamp>``."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return pathlib.Path(root) / f"{pathlib.Path(config_path).stem}-{stamp}"


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8), atomically."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(text)


class RunDirectory:
    """Paths and files of one run.

    Args:
        path: The directory (created if needed).
    """

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.checkpoints = self.path / "checkpoints"
        self.vocab = self.path / "vocab"

    def exists(self) -> bool:
        return (self.path / "metadata.json").exists()

    def create(
        self,
        config_text: str,
        overrides: List[str],
        resolved_text: str,
        seed: int,
        command: Optional[List[str]] = None,
    ) -> None:
        """Write the config files and metadata of a new run."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.checkpoints.mkdir(exist_ok=True)
        write_text(self.path / "config.yaml", config_text)
        write_text(self.path / "overrides.txt", "".join(f"{o}\n" for o in overrides))
        write_text(self.path / "resolved.yaml", resolved_text)
        write_json(self.path / "metadata.json", self._metadata(resolved_text, seed, command))

    def _metadata(self, resolved_text: str, seed: int, command) -> Dict:
        from importlib import metadata as importlib_metadata

        versions = {}
        for distribution in ("dynn", "dyNET38", "numpy", "pyyaml"):
            try:
                versions[distribution] = importlib_metadata.version(distribution)
            except importlib_metadata.PackageNotFoundError:
                versions[distribution] = None
        return {
            "command": command if command is not None else sys.argv,
            "config_hash": config_hash(resolved_text),
            "seed": seed,
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "versions": versions,
        }

    def read_text(self, name: str) -> str:
        path = self.path / name
        if not path.exists():
            raise FileNotFoundError(f"{self.path} is not a run directory: {name} is missing")
        return path.read_text(encoding="utf-8")

    def metadata(self) -> Dict:
        return json.loads(self.read_text("metadata.json"))

    def overrides(self) -> List[str]:
        return [line for line in self.read_text("overrides.txt").splitlines() if line]
