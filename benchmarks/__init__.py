"""Benchmarks: dynn's layers against DyNet's native builders and PyTorch, measured side by side.

Run ``python -m benchmarks.run`` from the repository root (``--smoke`` for a seconds-long check,
``--help`` for the options). See ``benchmarks/RESULTS.md`` for the latest numbers. This package is
not part of the installed ``dynn`` distribution.
"""
