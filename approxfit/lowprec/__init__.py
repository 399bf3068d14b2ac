"""Layer 2, low precision: number formats and ULPs, the format emulator that runs an
approximant's program, precision tables, coefficient rounding, code export, parity."""
