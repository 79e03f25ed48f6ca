"""A run's report: report.md and its figures (for people) next to metrics.json (for machines).

`write_report` draws every figure into the run folder and writes report.md, which links only the files it
wrote there. The figures:

- confusion.png: row-normalised confusion matrix of each method on the test videos;
- training_curves.png: each loss term of Algorithm 1 per epoch (model.pt's history);
- projection.png: a joint 2-D PCA of F (images), H (keyframes) and G (videos) before training (the networks'
  initial weights) and after, coloured by modality and by class, each modality capped at stats.CAP points: the
  picture of domain alignment; beside it each modality's share of own-modality nearest neighbours among the same
  points (stats.modality_neighbours), which the verdict and the caption quote.

Plots use matplotlib's headless Agg backend; nothing here needs a display or luigi.
"""
from pipeline.report.metrics import collect
from pipeline.report.write import data_summary, write_metrics, write_report

__all__ = ["collect", "data_summary", "write_metrics", "write_report"]
