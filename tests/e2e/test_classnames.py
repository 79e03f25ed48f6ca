"""EmbedClassNames (tasks/classnames.py) through the Luigi CLI, on the tiny run's data."""
import json

import numpy as np

from pipeline.io import h5io
from tests.helpers.luigi_process import run_folder, run_luigi
from tests.helpers.vectors import write_text


def test_embed_class_names_task_records_the_provider(tiny_run_copy):
    """EmbedClassNames --provider word_vectors on the tiny run's data: attrs name the file and the missing words;
    the tiny run's own metrics.json names its (default) provider."""
    cwd = tiny_run_copy
    metrics = json.loads((run_folder(cwd) / "metrics.json").read_text())
    assert metrics["embedding_provider"] == "glove" and "GloVe 6B 50-d" in metrics["embedding"]

    rng = np.random.default_rng(0)
    words = "archery brushing teeth cutting kitchen frisbee rowing walking dog writing board mopping floor".split()
    path = cwd / "glove.txt"
    write_text(path, {w: rng.normal(size=5).round(4).tolist() for w in words}, header=False)   # no 'catch'
    r = run_luigi(["EmbedClassNames", "--pair", "SYNTHETIC", "--provider", "word_vectors", "--vectors-path", str(path),
                   "--no-lock"], cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "catch" in r.stderr                                        # the missing word is in the log
    (out,) = [p for p in (cwd / "artifacts" / "SYNTHETIC").glob("EmbedClassNames-*/classnames.h5")
              if h5io.attrs(p)["provider"] == "word_vectors"]
    attrs = h5io.attrs(out)
    assert attrs["vectors_path"] == str(path) and attrs["missing_words"] == {"FrisbeeCatch": ["catch"]}
    assert h5io.read(out, "classnames")["S"].shape == (8, 5)
