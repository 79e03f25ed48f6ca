"""What each block of a run's features tells a linear SVM: trained vs initial networks, plain vs centred SAE.

    PYTHONPATH=. python benchmarks/probe_features.py artifacts/SYNTHETIC/DumpFeatures-<hash>/features.h5 \
        artifacts/SYNTHETIC/EmbedClassNames-<hash>/classnames.h5

For the networks after training (F, H, G) and before it (F0, H0, G0, the same seed's initial weights), prints the
test accuracy of the pipeline's comparison (pipeline.evaluation.compare: the same SVM, the same split) on:
  h      the pooled keyframe features          G      the video network's features
  [h;G]  both                                   [h;y]  h beside the raw video feature y
  divafn [W_H ĥ; W_G ĝ; W_E ê] with the SAE inputs centred (default)
  divafn_plain  the same with SAE's plain L2 normalisation (ProjectSemantics --centre false)
and the mean cosine between items (1: every item points the same way); docs/method.md says what it shows.
"""
import argparse
import json

import numpy as np

from pipeline.evaluation import methods
from pipeline.io import h5io
from pipeline.method import semantics
from pipeline.method.features import pool_keyframes
from pipeline.report.stats import mean_cosines


def probe(features: dict, S: np.ndarray, lambda_grid=(0.01, 0.1, 1.0, 10.0, 100.0), seed: int = 0) -> dict:
    y, split = features["video_labels"], np.asarray(features["video_split"]).astype(str)
    train = split == "train"

    def accuracies(blocks: dict) -> dict:                # the pipeline's own comparison: same SVM, same split
        return {k: r["accuracy"] for k, r in methods.compare(blocks, y, split, len(S), seed=seed).items()}

    out = {"y (raw video feature)": accuracies({"accuracy": [features["Y"]]})}
    for stage, (F, H, G) in (("after training", ("F", "H", "G")), ("before training", ("F0", "H0", "G0"))):
        if H not in features:
            continue
        F, H, G = features[F], features[H], features[G]
        h = pool_keyframes(H)
        blocks = {"h": [h], "G": [G], "[h;G]": [h, G], "[h;y]": [h, features["Y"]]}
        for name, centre in (("divafn", True), ("divafn_plain", False)):
            fit = semantics.fit_all(F, features["image_labels"], H, G, y, train, S, list(lambda_grid), seed=seed, centre=centre)
            blocks[name] = methods.divafn_features(fit["arrays"])
        cosines = [round(v, 3) for v in mean_cosines(F, H, G).values()]
        out[stage] = {**accuracies(blocks), "mean cosine F/H/G": cosines}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("features", help="a DumpFeatures-*/features.h5")
    p.add_argument("classnames", help="the run's EmbedClassNames-*/classnames.h5")
    p.add_argument("--seed", type=int, default=0, help="the SVM's seed (the run's --seed, to score as it did)")
    a = p.parse_args(argv)
    result = probe(h5io.read(a.features, "features"), h5io.read(a.classnames, "classnames")["S"], seed=a.seed)
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
