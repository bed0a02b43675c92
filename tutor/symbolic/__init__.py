"""The mathematics (sympy). Keep this module import-light: no sympy at import time."""
