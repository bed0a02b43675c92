"""The torch side: per-learner parameters, reference implementations, cross-checks."""
