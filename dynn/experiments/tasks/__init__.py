"""Experiment tasks: how the ``data`` section becomes examples, metrics and predictions."""

import difflib
from typing import Mapping

from ...config.errors import ConfigProblem
from ...config.nodes import location_of
from .base import DataSectionError, Task
from .classification import ClassificationTask
from .language_modelling import LanguageModellingTask
from .tagging import TaggingTask

__all__ = ["TASKS", "make_task", "Task", "DataSectionError"]

TASKS = {task.name: task for task in (TaggingTask, ClassificationTask, LanguageModellingTask)}


def make_task(section: Mapping) -> Task:
    """The task named by ``data.task``, reading the rest of the ``data`` section."""
    if not isinstance(section, Mapping) or "task" not in section:
        location = getattr(section, "location", None)
        raise DataSectionError(
            [ConfigProblem(location, "data.task", f"is required; one of: {', '.join(TASKS)}")]
        )
    name = section["task"]
    if name not in TASKS:
        close = difflib.get_close_matches(str(name), list(TASKS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known tasks: {', '.join(TASKS)}"
        raise DataSectionError(
            [
                ConfigProblem(
                    location_of(section, "task"), "data.task", f"unknown task {name!r}; {hint}"
                )
            ]
        )
    return TASKS[name](section)
