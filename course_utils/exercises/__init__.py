"""Auto-checks for the exercises at the end of each notebook.

Every check returns a ``Feedback``: "not attempted yet" while the answer is
still the placeholder (``None``, ``...`` or a function that raises
``NotImplementedError``), a confirmation when it is right, and a hint that
names what is off when it is wrong. Checks never raise, let no warning through,
keep their messages under 600 characters, and judge numbers by the one tolerance
policy stated in ``feedback.py``.
"""

from .feedback import Feedback, is_blank
from . import dataset, outputs  # notebooks 01 and 02
from . import backprop, width  # notebooks 03 and 04
from . import generalisation  # notebook 05

__all__ = ["Feedback", "is_blank", "dataset", "outputs", "backprop", "width", "generalisation"]
