"""Config-driven experiments: run directories, checkpoints, training, evaluation, prediction."""
