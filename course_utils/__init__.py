"""course_utils: the support package of Backprop from Scratch.

``import course_utils as cu`` gives every name the notebooks use. The modules
follow the course: ``data`` (notebook 01), ``activations`` and ``network``
(notebook 02), ``gradcheck``, ``training``, ``scaling`` and ``curvature``
(notebooks 03, 04), ``truth`` for the grid error against the known surface and its
bias-variance split (notebooks 05, 06), ``stacked`` for many networks side by side (notebook 05,
imported as ``course_utils.stacked``), ``plotting`` for the figure style, ``text`` for the wording
of every message, and ``exercises`` for the auto-checks (``check_gradients`` included).
"""

from . import exercises, plotting
from .exercises import GradientReport, check_gradients
from .activations import sigmoid
from .curvature import hessian, sharpness
from .data import describe, make_dataset, noise_floor, target_function
from .gradcheck import numerical_gradient, relative_error
from .network import backward, forward, forward_cache, init_params, mse
from .plotting import save_figure, show_figure
from .scaling import NotFittedError, StandardScaler
from .split import train_test_split
from .training import TrainResult, train, train_many, width_sweep
from .truth import BiasVariance, bias_variance, grid_error, midpoint_grid

__version__ = "0.1.0"

__all__ = [
    "make_dataset", "target_function", "noise_floor", "describe",
    "sigmoid", "init_params", "forward", "forward_cache", "mse", "backward",
    "train", "train_many", "TrainResult", "width_sweep", "train_test_split",
    "numerical_gradient", "check_gradients", "GradientReport", "relative_error",
    "StandardScaler", "NotFittedError", "sharpness", "hessian",
    "midpoint_grid", "grid_error", "bias_variance", "BiasVariance",
    "save_figure", "show_figure", "plotting", "exercises",
]
