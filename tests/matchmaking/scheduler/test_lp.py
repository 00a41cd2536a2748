"""The LP of the large path, solved by HiGHS through SciPy's bundled bindings."""

from __future__ import annotations

import importlib

import numpy as np
from scipy.sparse import csc_matrix

S = importlib.import_module("matchmaking.scheduler.solve")


def test_scipy_still_ships_the_direct_highs_bindings():
    """Without them the LP silently falls back to ``milp``, ~0.9 GB more on the 5,000 fair."""
    assert S._direct_highs() is not None


def test_highs_lp_known_answer():
    # max x0 + 2 x1  s.t.  x0 + x1 <= 1.5,  x0 <= 1  (0 <= x <= 1)  ->  x = (0.5, 1), 2.5
    A = csc_matrix(np.array([[1.0, 1.0], [1.0, 0.0]]))
    x, obj = S._highs_lp(np.array([1.0, 2.0]), A, np.array([1.5, 1.0]), time_limit=5)
    assert np.allclose(x, [0.5, 1.0]) and abs(obj - 2.5) < 1e-9
