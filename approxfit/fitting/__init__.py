"""Layer 5, fitting: least squares and minimax engines, the fitting core, FitResult,
and coefficients in a format (:func:`approxfit.fitting.fpcoeff.fit_in_format`,
:class:`approxfit.fitting.fpcoeff.FormatFit`), and piecewise fits
(:func:`approxfit.fitting.piecewise_fit.fit_piecewise`)."""
