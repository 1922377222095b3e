"""Auto-checks for the exercises at the end of each notebook.

Every check returns a ``Feedback``: "not attempted yet" while the answer is
still the placeholder (``None``, ``...`` or a function that raises
``NotImplementedError``), a confirmation when it is right, and a hint that
names what is off when it is wrong. Checks never raise, let no warning through,
keep their messages under 600 characters, and judge numbers by the one tolerance
policy stated in ``feedback.py``; a learner's function is run through ``learner_code.py``. Every
message is written with ``course_utils.text``.

``CHECKS`` lists every check the course offers, notebook by notebook, with the
kind of answer it takes: ``VALUE`` (a number or a point the learner works out)
or ``FUNCTION`` (a function the learner writes, which the check runs). Tests
and tools enumerate it; a new check belongs in it.
"""

from .feedback import Feedback, is_blank
from . import dataset, output_layer  # notebooks 01 and 02
from . import backprop, gradients, width  # notebooks 03 and 04
from . import generalisation  # notebook 05
from . import regularisation  # notebook 06
from .gradients import GradientReport, check_gradients  # notebook 03: the learner's backward

VALUE, FUNCTION = "value", "function"

CHECKS = (
    (dataset.check_noise_floor, VALUE),                     # 01
    (dataset.check_doubled_noise, VALUE),
    (dataset.check_surface_minimum, VALUE),
    (output_layer.check_forward_by_hand, VALUE),                 # 02
    (output_layer.check_sigmoid_prime, FUNCTION),
    (output_layer.check_saturation_point, VALUE),
    (check_gradients, FUNCTION),                            # 03 (returns a GradientReport)
    (backprop.check_db2, VALUE),
    (backprop.check_best_lr, VALUE),
    (backprop.check_train_loop, FUNCTION),
    (width.check_distinct_units, VALUE),                    # 04
    (width.check_param_count, FUNCTION),
    (width.check_free_params, VALUE),
    (width.check_first_width_within, FUNCTION),
    (generalisation.check_expected_test_mse, VALUE),        # 05
    (generalisation.check_best_epoch, FUNCTION),
    (generalisation.check_epoch_batches, FUNCTION),
    (regularisation.check_bias_variance, VALUE),            # 06
    (regularisation.check_momentum_step, VALUE),
    (regularisation.check_best_lambda, VALUE),
)

__all__ = ["Feedback", "GradientReport", "check_gradients", "is_blank", "CHECKS", "VALUE", "FUNCTION",
           "dataset", "output_layer", "backprop", "gradients", "width", "generalisation",
           "regularisation"]
