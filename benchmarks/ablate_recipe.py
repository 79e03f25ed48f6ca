"""The recipe ablation of docs/results.md ("Recipe"): one training variant on a finished run's artifacts.

    PYTHONPATH=. python benchmarks/ablate_recipe.py artifacts/SYNTHETIC '{"lr_trunk": 0, "augment": false}'
    PYTHONPATH=. python benchmarks/ablate_recipe.py artifacts/SYNTHETIC '{"balanced": false}' --feature Y --seed 1

Reads the pair folder's manifest, images, keyframe shards and class names (one RunExperiment's, with
`[ExtractKeyframes] pool_frames > 0` for the appearance feature A), trains `pipeline.method.train.train` with
TrainConfig's defaults overridden by the JSON, dumps F, H, G, and scores — with the pipeline's own functions — the
methods (with each `--scaling` of the SVM's input), the λs, the alignment and the mean cosine between each
modality's items (pipeline.report.stats.mean_cosines: 1 when they all point one way), for the trained networks
and for their initial weights ("untrained"). The video feature: Y (motion), A (appearance) or A+Y. S is the run's
classnames.h5 as that run's EmbedClassNames made it (its provider, centred or not).
"""
import argparse
import glob
import json

import numpy as np
import torch

from pipeline.data import manifest
from pipeline.evaluation import methods
from pipeline.io import assemble, h5io
from pipeline.method import features, pretrained, semantics, train
from pipeline.report import stats


def one(folder, pattern):
    (path,) = glob.glob(f"{folder}/{pattern}")
    return path


def load_run(A, feature="Y"):
    """(manifest, images, videos, TrainData, S) of the finished run in pair folder A, video feature `feature`."""
    m = manifest.Manifest.from_json(one(A, "BuildManifest-*/manifest.json"))
    images = h5io.read(one(A, "PrepareImages-*/images.h5"), "images", ["X", "labels", "ids"])
    kf = h5io.read_shards(sorted(glob.glob(f"{A}/ExtractKeyframes-*/shard-*.h5")), "keyframes")
    S = h5io.read(one(A, "EmbedClassNames-*/classnames.h5"), "classnames")["S"]
    vf = dict(ids=kf["ids"], rejects=kf["rejects"], Y=np.concatenate([kf[n] for n in feature.split("+")], 1))
    return m, images, assemble.video_arrays(m, kf, vf), assemble.training_data(m, images, kf, vf, S), S


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("pair_folder", help="artifacts/<PAIR> of a finished RunExperiment")
    p.add_argument("overrides", nargs="?", default="{}", help="JSON: TrainConfig fields")
    p.add_argument("--feature", default="Y", choices=["Y", "A", "A+Y"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backbone", default="efficientnet_lite0")
    p.add_argument("--c", type=int, default=64)
    p.add_argument("--fc-dim", type=int, default=1024)
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--scaling", default="blocks", help="the SVM's input scaling(s), comma-separated: blocks, standardise")
    a = p.parse_args(argv)
    m, images, videos, data, S = load_run(a.pair_folder, a.feature)
    cfg = train.TrainConfig(**dict(dict(epochs=10, batch_size=32, seed=a.seed), **json.loads(a.overrides)))
    dims = dict(c=a.c, video_dim=data.Y.shape[1], d=S.shape[1], fc_dim=a.fc_dim, video_hidden=1024,
                backbone=a.backbone, image_size=a.image_size)
    y, split, C = videos["labels"], videos["split"], len(m.classes)
    out = {}
    for name, epochs in (("untrained", 0), ("trained", cfg.epochs)):
        model = train.build_model(dims, a.seed)
        weights = pretrained.default_weights(a.backbone)
        if weights:
            pretrained.load_pretrained(model.f, weights, a.backbone)
        if epochs:
            train.train(model, data, cfg, pretrained=bool(weights))
        else:
            model.g.set_input_stats(torch.from_numpy(data.Y).float(), per_dimension=cfg.video_input == "standardise")
        d = features.dump(model, images["X"], videos["K"], videos["Y"], torch.device("cpu"))
        fit = semantics.fit_all(d["F"], images["labels"], d["H"], d["G"], y, split == "train", S,
                                [10.0 ** e for e in range(-2, 7)], "mean", a.seed, True)
        feats = dict(F=d["F"], H=d["H"], G=d["G"], Y=videos["Y"], image_labels=images["labels"], video_labels=y,
                     video_split=split)
        M = methods.ablation_features(feats, fit["arrays"])
        out[name] = {}
        for scaling in a.scaling.split(","):
            res = methods.compare(M, y, split, C, seed=a.seed, scaling=scaling)
            res["image_only"] = methods.image_only(d["F"], images["labels"], M["keyframe_only"][0], y, split, C,
                                                   seed=a.seed, scaling=scaling)
            out[name]["accuracy" if scaling == "blocks" else f"accuracy_{scaling}"] = {
                k: round(100 * v["accuracy"], 1) for k, v in res.items()}
        align = stats.alignment_scores(d["F"], d["H"], d["G"], images["labels"], y, split == "test", C)
        out[name].update(alignment={k: round(100 * v, 1) for k, v in align.items()}, lambdas=fit["lambdas"],
                         mean_cosine={k: round(v, 3) for k, v in stats.mean_cosines(d["F"], d["H"], d["G"]).items()})
    print(json.dumps(dict(overrides=json.loads(a.overrides), feature=a.feature, seed=a.seed, n_test=int((split == "test").sum()),
                          **out), indent=1))
    return out


if __name__ == "__main__":
    main()
