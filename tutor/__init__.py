"""ce-tutor: a terminal tutor for entropy, KL divergence and cross-entropy."""

__version__ = "0.1.0"
