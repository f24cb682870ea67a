"""The benchmarks behind ``make bench`` (``python -m lindungi_dev.bench``): figures to print, not pass/fail.

One module a benchmark, what they share in ``common``; ``__main__`` runs them all, or one on its own."""
