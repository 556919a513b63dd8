"""Run the benchmarks and print the tables: ``python -m benchmarks.run [--smoke] [--json PATH]``.

DyNet fixes autobatching when it is imported, so the harness runs each autobatching setting in
its own child process (``--child 0`` and ``--child 1``, started by this command); within a child,
all variants of a group are timed in interleaved windows, so every ratio compares measurements
of one process taken side by side. The parent never imports DyNet: it collects the children's
results, prints the tables and writes the JSON file.

Options:
    --smoke          tiny sizes, one short round: a check that everything runs (seconds)
    --json PATH      where to write the results (default benchmarks/results.json; with --smoke,
                     a file in the temporary directory)
    --rounds N       timing rounds (default 15); --window S: seconds per window (default 0.25)
    --only TEXT      only the groups whose key contains TEXT (repeatable)
    --autobatch A    0, 1 or both (default)
    --no-torch       leave PyTorch out even if it is installed
    --phases         also print where the time goes (µs per token in each phase)
    --from-json PATH print the tables of an earlier run, run nothing
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"
WORKLOAD_TITLES = {
    "lm": "(a) LSTM language model, autobatching off",
    "autobatch": "(b) LSTM language model, autobatching on, per-sentence code",
    "cells": "GRU and Elman RNN language models, autobatching off",
    "tagger": "(c) BiLSTM tagger, variable-length sentences",
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="dynn vs DyNet's native builders vs PyTorch, timed side by side.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one short round")
    parser.add_argument("--json", type=Path, default=None, help="results file")
    parser.add_argument("--rounds", type=int, default=None, help="timing rounds (default 15)")
    parser.add_argument("--window", type=float, default=None, help="seconds per window (0.25)")
    parser.add_argument("--only", action="append", default=[], help="group key filter")
    parser.add_argument("--autobatch", choices=("0", "1", "both"), default="both")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--phases", action="store_true", help="print time per phase")
    parser.add_argument("--from-json", type=Path, default=None, help="print an earlier run")
    parser.add_argument("--child", type=int, choices=(0, 1), default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def make_settings(args):
    from .common import SMOKE_SIZES, Settings

    if args.smoke:
        settings = Settings(sizes=SMOKE_SIZES, rounds=1, window=0.01, warmup=0.0)
    else:
        settings = Settings()
    if args.rounds is not None:
        settings.rounds = args.rounds
    if args.window is not None:
        settings.window = args.window
    settings.torch = not args.no_torch
    return settings


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# The child: one autobatching setting --------------------------------------------------------------
def child_main(args) -> int:
    import dynet_config

    autobatch = args.child
    settings = make_settings(args)
    dynet_config.set(mem=256, random_seed=settings.seed, autobatch=autobatch)
    import dynet  # noqa: F401  (configured above)

    from . import lm, tagger
    from .common import run_group

    groups = lm.lm_groups(settings, bool(autobatch)) + tagger.tagger_groups(
        settings, bool(autobatch)
    )
    if args.only:
        groups = [g for g in groups if any(text in g.key for text in args.only)]
    results = []
    for group in groups:
        start = time.perf_counter()
        log(f"[autobatch={autobatch}] {group.key}")
        outcome = run_group(group, settings, log)
        seconds = time.perf_counter() - start
        for name, record in outcome["records"].items():
            if "ratio" in record:
                log(f"    {name:<40} {record['ratio']:6.2f}x  {record['tokens_per_s']:10.0f} tok/s")
            else:
                log(f"    {name:<40} {record['status']}: {record.get('reason', '')}")
        results.append(
            {
                "key": group.key,
                "workload": group.workload,
                "autobatch": autobatch,
                "params": group.params,
                "note": group.note,
                "reference": next(iter(outcome["records"])),
                "seconds": seconds,
                "variants": outcome["records"],
            }
        )
    payload = {
        "autobatch": autobatch,
        "settings": {
            "rounds": settings.rounds,
            "window_s": settings.window,
            "warmup_s": settings.warmup,
            "sizes": vars(settings.sizes) if hasattr(settings.sizes, "__dict__") else {},
            "learning_rate": settings.learning_rate,
        },
        "groups": results,
    }
    args.child_out.write_text(json.dumps(payload, indent=1))
    return 0


# The parent -----------------------------------------------------------------------------------
def machine_info() -> Dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    versions = {}
    for package in ("dyNET38", "numpy", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "load_average_start": _load_average(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit,
    }


def _load_average() -> Optional[List[float]]:
    """The 1, 5 and 15-minute load averages (other processes slow the measurements down)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def forwarded_options(args) -> List[str]:
    options = []
    if args.smoke:
        options.append("--smoke")
    if args.rounds is not None:
        options += ["--rounds", str(args.rounds)]
    if args.window is not None:
        options += ["--window", str(args.window)]
    for text in args.only:
        options += ["--only", text]
    if args.no_torch:
        options.append("--no-torch")
    return options


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.child is not None:
        return child_main(args)
    if args.from_json is not None:
        print(format_report(json.loads(args.from_json.read_text()), phases=args.phases))
        return 0

    settings = make_settings(args)
    json_path = args.json
    if json_path is None:
        json_path = (
            Path(tempfile.gettempdir()) / "dynn-bench-smoke.json" if args.smoke else DEFAULT_JSON
        )
    started = time.perf_counter()
    children = [0, 1] if args.autobatch == "both" else [int(args.autobatch)]
    data = {
        "machine": machine_info(),
        "command": " ".join(
            ["python -m benchmarks.run"] + (argv if argv is not None else sys.argv[1:])
        ),
        "smoke": args.smoke,
        "rounds": settings.rounds,
        "window_s": settings.window,
        "groups": [],
        "children": {},
    }
    failed_children = []
    with tempfile.TemporaryDirectory() as tmp:
        for autobatch in children:
            out = Path(tmp) / f"autobatch{autobatch}.json"
            command = [sys.executable, "-m", "benchmarks.run", "--child", str(autobatch)]
            command += ["--child-out", str(out)] + forwarded_options(args)
            completed = subprocess.run(command, cwd=ROOT)
            if completed.returncode != 0 or not out.exists():
                failed_children.append(autobatch)
                log(f"the autobatch={autobatch} child failed (exit code {completed.returncode})")
                continue
            child = json.loads(out.read_text())
            data["groups"].extend(child["groups"])
            data["children"][str(autobatch)] = child["settings"]
    data["seconds"] = time.perf_counter() - started
    data["machine"]["load_average_end"] = _load_average()
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=1) + "\n")
    print(format_report(data, phases=args.phases))
    print(f"\nResults written to {json_path} ({data['seconds']:.0f} s).")
    problems = failures(data)
    for problem in problems:
        log(f"FAILED: {problem}")
    return 1 if problems or failed_children else 0


def failures(data) -> List[str]:
    """Variants that failed their equivalence check or crashed (skipped ones are fine)."""
    return [
        f"{group['key']}: {name}: {record['status']}: {record.get('reason', '')}"
        for group in data["groups"]
        for name, record in group["variants"].items()
        if record["status"] in ("error", "not-equivalent")
    ]


# Reporting ----------------------------------------------------------------------------------------
def _per_round_ratio(record, reference) -> Optional[float]:
    import statistics

    a, b = record.get("tokens_per_s_rounds"), reference.get("tokens_per_s_rounds")
    if not a or not b:
        return None
    return statistics.median(x / y for x, y in zip(a, b))


def format_report(data, phases: bool = False) -> str:
    machine = data.get("machine", {})
    versions = machine.get("versions", {})
    lines = [
        f"dynn benchmarks, {machine.get('date', '?')}: {machine.get('nproc', '?')} cores, "
        f"{machine.get('cpu', '?')}; dyNET38 {versions.get('dyNET38')}, "
        f"torch {versions.get('torch') or 'not installed'}, commit {machine.get('commit', '?')}; "
        f"load average {_first(machine.get('load_average_start'))} at the start, "
        f"{_first(machine.get('load_average_end'))} at the end.",
        f"{data.get('rounds')} rounds of {data.get('window_s')} s windows per variant; each cell "
        "is the median over rounds of the ratio to the reference (first column) measured in the "
        "same round, then the median tokens/s.",
    ]
    for workload, title in WORKLOAD_TITLES.items():
        groups = [g for g in data["groups"] if g["workload"] == workload]
        if not groups:
            continue
        lines += ["", f"### {title}", ""]
        lines += _ratio_table(groups)
        lines += _notes(groups)
        overhead = _overhead_lines(groups)
        if overhead:
            lines += [""] + overhead
        if workload == "tagger":
            lines += [""] + _torch_lines(groups)
        if phases:
            lines += [""] + _phase_table(groups)
    return "\n".join(lines)


def _first(values) -> str:
    return f"{values[0]:.1f}" if values else "?"


def _variant_names(groups) -> List[str]:
    names: List[str] = []
    for group in groups:
        for name in group["variants"]:
            if name not in names:
                names.append(name)
    return names


def _cell(record) -> str:
    if "ratio" in record:
        return f"{record['ratio']:.2f} ({record['tokens_per_s']:,.0f})"
    return {"skipped": "–", "error": "ERROR", "not-equivalent": "NOT EQUIVALENT"}.get(
        record["status"], record["status"]
    )


def _ratio_table(groups) -> List[str]:
    names = _variant_names(groups)
    lines = [
        "| setting | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for group in groups:
        cells = [_cell(group["variants"][n]) if n in group["variants"] else "" for n in names]
        lines.append(
            f"| {group['params'].get('label', group['key'])} | " + " | ".join(cells) + " |"
        )
    return lines


def _notes(groups) -> List[str]:
    notes = []
    for group in groups:
        for name, record in group["variants"].items():
            if record["status"] != "ok":
                note = f"- {name}: {record['status']}: {record.get('reason', '')}"
                if record["status"] != "skipped":
                    note = f"- {group['key']}, {note[2:]}"
                if note not in notes:
                    notes.append(note)
        if group.get("note") and f"- {group['note']}" not in notes:
            notes.append(f"- {group['note']}")
    return [""] + notes if notes else []


def _overhead_lines(groups) -> List[str]:
    """Graph construction time of dynn's layers relative to the same model in DyNet ops."""
    rows = []
    for group in groups:
        variants = group["variants"]
        ops = variants.get("DyNet ops", {}).get("us_per_token")
        if not ops:
            continue
        projected = variants.get("DyNet ops, projected", {}).get("us_per_token")
        cells = variants.get("dynn cells", {}).get("us_per_token")
        unidirectional = variants.get("dynn Unidirectional", {}).get("us_per_token")
        # Unidirectional computes whole-sequence input products at batch 1 without
        # autobatching: compare it with the same computation written in DyNet ops.
        same_form = projected or ops

        def extra(mine, base):
            return f"{mine['build'] / base['build'] - 1:+.0%}" if mine and base else "–"

        projected_build = f"{projected['build']:.2f}" if projected else "–"
        rows.append(
            f"| {group['params']['label']} | {ops['build']:.2f} | {projected_build} | "
            f"{extra(cells, ops)} | {extra(unidirectional, same_form)} |"
        )
    if not rows:
        return []
    return [
        "Graph construction only: µs per token for the model written in DyNet ops (per step, "
        "and with whole-sequence input products), and the extra construction time of dynn's "
        "layers relative to the DyNet-ops model of the same form:",
        "",
        "| setting | DyNet ops | DyNet ops, projected | dynn cells | dynn Unidirectional |",
        "|---|---|---|---|---|",
    ] + rows


def _torch_lines(groups) -> List[str]:
    lines = []
    for group in groups:
        variants = group["variants"]
        torch_name = next(
            (n for n, r in variants.items() if r.get("framework") == "torch" and "ratio" in r), None
        )
        if torch_name is None:
            continue
        parts = [
            f"{name} {_per_round_ratio(record, variants[torch_name]):.2f}"
            for name, record in variants.items()
            if record.get("framework") == "dynet" and "ratio" in record
        ]
        lines.append(f"- {group['params']['label']}, ratio to {torch_name}: " + ", ".join(parts))
    return lines


def _phase_table(groups) -> List[str]:
    lines = [
        "Where the time goes (µs per token: graph construction, forward, backward, update):",
        "",
        "| setting | variant | build | forward | backward | update | total |",
        "|---|---|---|---|---|---|---|",
    ]
    for group in groups:
        for name, record in group["variants"].items():
            phases = record.get("us_per_token")
            if not phases:
                continue
            values = [phases[p] for p in ("build", "forward", "backward", "update")]
            cells = " | ".join(f"{v:.1f}" for v in values)
            lines.append(f"| {group['params']['label']} | {name} | {cells} | {sum(values):.1f} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
