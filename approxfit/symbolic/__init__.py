"""Layer 4, symbolic (the only layer that imports sympy): Taylor and Padé matching,
closed forms of constants."""
