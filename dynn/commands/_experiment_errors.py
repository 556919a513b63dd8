"""Turn the user mistakes of experiment commands into one clear line and exit status 2."""

import sys


def fail(message: str) -> int:
    """Print ``message`` to standard error; exit status 2."""
    print(message, file=sys.stderr)
    return 2


def with_user_errors(command: str):
    """Decorate a command: config errors, missing files, refused resumes, NaN losses, missing
    data packages -> their message on stderr and exit status 2, no traceback."""

    def decorate(function):
        def run(args) -> int:
            from ..config import ConfigError
            from ..data.treebanks import TreebankNotInstalledError
            from ..experiments.checkpoints import CheckpointError
            from ..experiments.runner import ExperimentError
            from ..experiments.training import TrainingError

            try:
                return function(args)
            except ConfigError as error:
                return fail(str(error))
            except (ExperimentError, TrainingError, CheckpointError) as error:
                return fail(f"dynn {command}: {error}")
            except TreebankNotInstalledError as error:
                return fail(f"dynn {command}: {error}")
            except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
                return fail(f"dynn {command}: {error}")
            except KeyboardInterrupt:
                return fail(f"dynn {command}: interrupted; resume with --resume RUN_DIR")

        run.__name__ = function.__name__
        run.__doc__ = function.__doc__
        return run

    return decorate
