"""Layer 3, measurement: error metrics on a range and on the whole line, report rows."""
