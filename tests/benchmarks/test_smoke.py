"""The benchmark harness runs end to end in smoke mode (nothing is timed or asserted about speed).

It runs as a subprocess, as a user would: ``python -m benchmarks.run --smoke --json PATH``.
"""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKLOADS = {"lm", "autobatch", "cells", "tagger"}
STATUSES = {"ok", "skipped", "error", "not-equivalent"}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, out


def test_smoke_run_succeeds(smoke_run):
    result, out = smoke_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.exists()


def test_every_variant_is_equivalent_or_skipped(smoke_run):
    _, out = smoke_run
    data = json.loads(out.read_text())
    statuses = {
        (group["key"], name): record["status"]
        for group in data["groups"]
        for name, record in group["variants"].items()
    }
    assert statuses and set(statuses.values()) <= STATUSES
    bad = {k: v for k, v in statuses.items() if v in ("error", "not-equivalent")}
    assert bad == {}
    assert "dynn cells" in {name for _, name in statuses}


def test_results_have_the_expected_structure(smoke_run):
    result, out = smoke_run
    data = json.loads(out.read_text())
    assert data["smoke"] is True
    assert {"date", "nproc", "cpu", "versions"} <= set(data["machine"])
    assert {group["workload"] for group in data["groups"]} == WORKLOADS
    assert {group["autobatch"] for group in data["groups"]} == {0, 1}
    for group in data["groups"]:
        records = group["variants"]
        reference = records[group["reference"]]
        assert reference["status"] == "ok", group["key"]
        assert reference["ratio"] == pytest.approx(1.0)
        for record in records.values():
            if record["status"] == "ok":
                assert record["tokens_per_s"] > 0
                assert set(record["us_per_token"]) == {"build", "forward", "backward", "update"}
                assert record["loss_rel_error"] <= 1e-4 and record["grad_rel_error"] <= 1e-3
            else:
                assert record["reason"]
    # The table on stdout has one section per workload and a row per group.
    for title in ("(a) LSTM language model", "(b) LSTM language model", "(c) BiLSTM tagger"):
        assert title in result.stdout
    assert "| LSTM 1L, batch 1, train | 1.00 (" in result.stdout


def test_printing_a_saved_run(smoke_run):
    _, out = smoke_run
    again = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--from-json", str(out), "--phases"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert "Where the time goes" in again.stdout
