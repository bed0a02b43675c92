"""Progress: where each learner is and every attempt they made."""
