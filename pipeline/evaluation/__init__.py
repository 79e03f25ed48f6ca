"""Evaluation: the classifier, the table of compared methods, results.json, and summaries over seeds and settings."""

# [FitClassifier] scaling: how the classifier prepares its input (pipeline.evaluation.classifier.InputScaler).
# Here, not in classifier.py, so that tasks/ can name them without importing scikit-learn.
SCALINGS = ("blocks", "standardise")
