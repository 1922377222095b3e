"""Interactive explorers, one per notebook: move a control, the figure redraws.

Each function returns an ``ipywidgets.VBox`` with ``.controls`` (name -> widget),
``.state`` (the numbers behind the figure), ``.message`` (what went wrong, if
anything), ``.png`` (the figure) and ``.alt`` (the sentence a screen reader reads
for it). Sliders that retrain act when released. Display one by leaving it as
the last line of a cell::

    from course_utils.widgets import training_explorer
    training_explorer()
"""

from ._base import Explorer
from .dataset import DatasetExplorer, dataset_explorer
from .generalisation import GeneralisationExplorer, generalisation_explorer
from .output import OutputExplorer, output_explorer
from .regularisation import RegularisationExplorer, regularisation_explorer
from .training import TrainingExplorer, training_explorer
from .width_sweep import WidthSweepExplorer, width_sweep_explorer

__all__ = [
    "dataset_explorer", "output_explorer", "training_explorer", "width_sweep_explorer", "generalisation_explorer",
    "regularisation_explorer",
    "Explorer", "DatasetExplorer", "OutputExplorer", "TrainingExplorer", "WidthSweepExplorer",
    "GeneralisationExplorer", "RegularisationExplorer",
]
