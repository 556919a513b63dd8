"""Tiny experiment configs on real data (the Turkish treebank's web section) and tiny files."""

import textwrap

import pytest

TAGGER = """\
data:
  task: tagging
  source: turkish_treebank
  sections: [web]
  min_count: 2
model: !Tagger
  word_encoder: !WordEncoder
    word_embeddings: !Embeddings {dictionary: "${data.num_words}", embed_dim: 8}
    char_embeddings: !Embeddings {dictionary: "${data.num_chars}", embed_dim: 4}
    char_encoder: !Bidirectional
      forward_cell: !LSTM {input_dim: 4, hidden_dim: 4}
      backward_cell: !LSTM {input_dim: 4, hidden_dim: 4}
  encoder: !Bidirectional
    forward_cell: !LSTM {input_dim: 16, hidden_dim: 8, dropout_x: 0.2, dropout_h: 0.2}
    backward_cell: !LSTM {input_dim: 16, hidden_dim: 8, dropout_x: 0.2, dropout_h: 0.2}
  output: !Affine {input_dim: 16, output_dim: "${data.num_tags}"}
  dropout: 0.2
train:
  max_steps: 8
  max_epochs: null
  batch_size: 4
  seed: 3
  log_every: 2
  eval_every: 4
  checkpoint_every: 2
  patience: null
  optimizer: !Adam {alpha: 0.01}
"""


@pytest.fixture
def tagger_config(tmp_path):
    path = tmp_path / "tagger.yaml"
    path.write_text(TAGGER)
    return path


@pytest.fixture
def write(tmp_path):
    def write_file(name, text):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write_file
