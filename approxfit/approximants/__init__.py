"""Layer 1, approximants: the family kernels, the approximant kinds (family,
rational, published closed forms), their evaluation programs and spec parsing."""
