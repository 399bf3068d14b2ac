"""The names of what is built in, importable without numpy, scipy or sympy.

The command line builds its help texts and choices from these so that
``approxfit --help`` starts fast; a test keeps them equal to the registries in
:mod:`approxfit.targets`, :mod:`approxfit.families` and :mod:`approxfit.fit`.
"""

TARGET_NAMES = ("gelu", "phi", "erf", "silu", "mish", "softplus", "tanh")
FAMILY_NAMES = ("tanh", "sigmoid", "poly", "rational")
OBJECTIVES = ("l2", "minimax")
ONS = ("gate", "value")
PARITIES = ("odd", "even", "none")
GRID_KINDS = ("uniform", "chebyshev")
