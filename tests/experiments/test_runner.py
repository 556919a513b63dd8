"""End to end: dynn train / eval / predict / generate, exact resume, and user errors."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from dynn.cli import main
from dynn.files import read_npz


def run_cli(*argv):
    return main([str(a) for a in argv])


def params(run_dir, name="last"):
    return {
        k: v
        for k, v in read_npz(run_dir / "checkpoints" / f"{name}.npz").items()
        if not k.startswith("optimizer/")
    }


def assert_same_parameters(a, b):
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)


def test_train_writes_the_run_directory_then_eval_and_predict(tagger_config, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert (
        run_cli("train", tagger_config, "train.seed=4", "--run-dir", run_dir, "--no-progress") == 0
    )
    for name in [
        "config.yaml",
        "overrides.txt",
        "resolved.yaml",
        "metadata.json",
        "metrics.jsonl",
        "metrics.csv",
        "curves.png",
        "checkpoints/last.npz",
        "checkpoints/best.json",
        "vocab/words.json",
        "vocab/tags.json",
    ]:
        assert (run_dir / name).exists(), name
    assert (run_dir / "overrides.txt").read_text() == "train.seed=4\n"
    metadata = json.loads((run_dir / "metadata.json").read_text())
    assert metadata["seed"] == 4 and metadata["versions"]["dyNET38"]
    assert "!Tagger" in (run_dir / "resolved.yaml").read_text()
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["split"] == "dev"] == [4, 8]
    assert all(np.isfinite(r["loss"]) for r in rows if r["split"] == "train")
    capsys.readouterr()
    assert run_cli("eval", run_dir, "--split", "dev") == 0
    metrics = json.loads(capsys.readouterr().out)
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["words"] > 1000
    assert 0.7 < metrics["most_frequent_tag_accuracy"] < 0.9  # web section, dev
    best_dev = max(r["accuracy"] for r in rows if r["split"] == "dev")
    assert metrics["accuracy"] == pytest.approx(best_dev)
    text = tmp_path / "raw.txt"
    text.write_text("Bu kitabı çok sevdim.\n\nHerkese tavsiye ederim!\n")
    assert run_cli("predict", run_dir, text) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[1] == ""
    assert [pair.rsplit("/", 1)[0] for pair in lines[0].split()] == [
        "Bu",
        "kitabı",
        "çok",
        "sevdim",
        ".",
    ]


def test_resume_after_a_stop_ends_with_the_same_parameters(tagger_config, tmp_path):
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert run_cli("train", tagger_config, "--run-dir", straight, "--no-progress") == 0
    assert (
        run_cli("train", tagger_config, "train.max_steps=3", "--run-dir", stopped, "--no-progress")
        == 0
    )
    # Raising max_steps on resume is allowed; the run continues from its last checkpoint.
    assert run_cli("train", "--resume", stopped, "train.max_steps=8", "--no-progress") == 0
    assert_same_parameters(params(stopped), params(straight))
    assert json.loads((stopped / "checkpoints" / "last.json").read_text())["counters"]["step"] == 8


def test_kill_9_then_resume_ends_with_the_same_parameters(tagger_config, tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    steps = "train.max_steps=60"
    assert run_cli("train", tagger_config, steps, "--run-dir", straight, "--no-progress") == 0
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dynn",
            "--dynet-mem",
            "64",
            "train",
            str(tagger_config),
            steps,
            "--run-dir",
            str(killed),
            "--no-progress",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    last = killed / "checkpoints" / "last.json"
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if last.exists() and json.loads(last.read_text())["counters"]["step"] >= 10:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    step = json.loads(last.read_text())["counters"]["step"]
    assert 10 <= step < 60
    assert run_cli("train", "--resume", killed, "--no-progress") == 0
    assert_same_parameters(params(killed), params(straight))
    dev_steps = [
        json.loads(line)["step"]
        for line in (killed / "metrics.jsonl").read_text().splitlines()
        if '"dev"' in line
    ]
    assert dev_steps == sorted(set(dev_steps)), "metrics after the checkpoint were dropped"


def test_resume_refuses_a_changed_model_unless_forced(tagger_config, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert (
        run_cli("train", tagger_config, "train.max_steps=2", "--run-dir", run_dir, "--no-progress")
        == 0
    )
    capsys.readouterr()
    assert run_cli("train", "--resume", run_dir, "model.dropout=0.5", "--no-progress") == 2
    assert "the model section(s) would change; use --force" in capsys.readouterr().err
    assert (
        run_cli(
            "train",
            "--resume",
            run_dir,
            "model.dropout=0.5",
            "train.max_steps=3",
            "--force",
            "--no-progress",
        )
        == 0
    )


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(
    tagger_config, tmp_path, capsys
):
    run_dir = tmp_path / "run"
    code = run_cli(
        "train",
        tagger_config,
        "train.optimizer=!SGD {learning_rate: 1.0e+38}",
        "train.checkpoint_every=1",
        "--run-dir",
        run_dir,
        "--no-progress",
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "stopped. The last good checkpoint is kept" in err and "Traceback" not in err
    counters = json.loads((run_dir / "checkpoints" / "last.json").read_text())["counters"]
    assert all(np.all(np.isfinite(v)) for v in params(run_dir).values())
    assert counters["step"] >= 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "missing.yaml"], "config file not found: missing.yaml"),
        (["eval", "no-such-run"], "no-such-run is not a run directory"),
        (["train", "--resume", "no-such-run"], "cannot resume: no-such-run is not a run directory"),
        (["generate", "no-such-run"], "not a run directory"),
    ],
)
def test_user_mistakes_give_one_line_and_status_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_data_section_is_located(write, capsys):
    config = write(
        "bad.yaml",
        """\
        data:
          task: taging
        model: !LSTM {input_dim: 2, hidden_dim: 3}
        train: {max_steps: 1}
        """,
    )
    assert run_cli("train", config) == 2
    assert "bad.yaml:2:9 (data.task): unknown task 'taging'; did you mean 'tagging'?" in (
        capsys.readouterr().err
    )
    config = write(
        "bad2.yaml",
        """\
        data: {task: tagging, mincount: 2}
        model: !LSTM {input_dim: 2, hidden_dim: 3}
        train: {max_steps: 1}
        extra: 1
        """,
    )
    assert run_cli("train", config) == 2
    err = capsys.readouterr().err
    assert "(extra): unknown section" in err


def test_empty_training_set_is_one_clear_line(write, tmp_path, capsys):
    empty = write("empty.conllu", "")
    config = write(
        "empty.yaml",
        f"""\
        data: {{task: tagging, source: conllu, train: {empty}, dev: {empty}, test: {empty}}}
        model: !LSTM {{input_dim: 2, hidden_dim: 3}}
        train: {{max_steps: 1}}
        """,
    )
    assert run_cli("train", config, "--run-dir", tmp_path / "run") == 2
    assert "the training split is empty" in capsys.readouterr().err


def test_language_model_on_a_text_file_trains_and_generates(write, tmp_path, capsys):
    text = write("corpus.txt", "abc abd abe\n" * 20)
    config = write(
        "lm.yaml",
        f"""\
        data: {{task: language_model, source: text, level: char,
                train: {text}, dev: {text}, test: {text}}}
        model: !RNNLanguageModel
          embeddings: !Embeddings {{dictionary: "${{data.num_tokens}}", embed_dim: 8}}
          cell: !LSTM {{input_dim: 8, hidden_dim: 16}}
          output: !Affine {{input_dim: 16, output_dim: "${{data.num_tokens}}"}}
        train: {{max_steps: 40, batch_size: 5, eval_every: 40, log_every: 10,
                 optimizer: !Adam {{alpha: 0.02}}}}
        """,
    )
    run_dir = tmp_path / "lm"
    assert run_cli("train", config, "--run-dir", run_dir, "--no-progress") == 0
    capsys.readouterr()
    assert run_cli("eval", run_dir) == 0
    assert json.loads(capsys.readouterr().out)["perplexity"] < 4.0  # 8 symbols; learnt
    assert run_cli("generate", run_dir, "-n", "3", "--temperature", "0.5") == 0
    samples = capsys.readouterr().out.splitlines()
    assert len(samples) == 3 and any(s.startswith("ab") for s in samples)


def test_classifier_on_a_tsv_file(write, tmp_path, capsys):
    rows = "".join(
        f"{'pos' if i % 2 else 'neg'}\t{'good fine' if i % 2 else 'bad awful'} x{i}\n"
        for i in range(30)
    )
    data = write("data.tsv", rows)
    config = write(
        "cls.yaml",
        f"""\
        data: {{task: classification, source: tsv, train: {data}, dev: {data}, test: {data}}}
        model: !SentenceClassifier
          word_encoder: !WordEncoder
            word_embeddings: !Embeddings {{dictionary: "${{data.num_words}}", embed_dim: 6}}
          encoder: !Bidirectional
            forward_cell: !GRU {{input_dim: 6, hidden_dim: 4}}
            backward_cell: !GRU {{input_dim: 6, hidden_dim: 4}}
          output: !Affine {{input_dim: 8, output_dim: "${{data.num_labels}}"}}
        train: {{max_steps: 30, batch_size: 6, eval_every: 30, optimizer: !Adam {{alpha: 0.05}}}}
        """,
    )
    run_dir = tmp_path / "cls"
    assert run_cli("train", config, "--run-dir", run_dir, "--no-progress") == 0
    capsys.readouterr()
    assert run_cli("eval", run_dir) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0
    raw = write("raw.txt", "good fine\nbad awful\n")
    assert run_cli("predict", run_dir, raw) == 0
    assert capsys.readouterr().out.splitlines() == ["pos", "neg"]
