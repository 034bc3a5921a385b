"""Side-by-side benchmarks of ember and PyTorch (``python -m bench``).

Each workload is a module here with ``make(lib)``: given the library module (``ember`` or
``torch``) it does its setup and returns a zero-argument callable, the thing timed.
"""
