"""Evaluation: the classifier, the table of compared methods, results.json, and summaries over seeds and settings."""
