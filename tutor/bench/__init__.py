"""`ce-tutor bench`: the figures an instructor needs before hosting a class, in one run.

Each measurement lives in its own module and returns plain numbers; the
scripts in `benchmarks/` and the `bench` command share them. Figures with a
baseline are ratios taken in the same run, because these machines are noisy.
Importing this package imports neither torch nor sympy.
"""
