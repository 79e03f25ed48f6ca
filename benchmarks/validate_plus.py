"""divafn_plus's candidates on a validation dataset (docs/results.md, "Baselines and divafn_plus"): one chain.

    PYTHONPATH=. python benchmarks/validate_plus.py <folder>/artifacts/SYNTHETIC '{"objective": "divafn_plus"}' --seed 0

Reads a finished RunExperiment's pair folder as benchmarks/ablate_recipe.py does, trains one chain with TrainConfig's
defaults overridden by the JSON (SYNTHETIC's epochs 10, batch 32 and sizes), fits ProjectSemantics' closed form and
scores with the pipeline's SVM: the semantic input [W_H h ; W_G g ; W_E e], the same with the raw y beside it,
[h ; g] (the baselines' input), image_only, and the alignment — in %.
"""
import argparse
import json

import torch

from benchmarks.ablate_recipe import load_run
from pipeline.evaluation import methods
from pipeline.method import features, pretrained, semantics, train
from pipeline.report import stats


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("pair_folder")
    p.add_argument("overrides", nargs="?", default="{}")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    m, images, videos, data, S = load_run(a.pair_folder)
    cfg = train.TrainConfig(**dict(dict(epochs=10, batch_size=32, seed=a.seed), **json.loads(a.overrides)))
    dims = dict(c=64, video_dim=data.Y.shape[1], d=S.shape[1], fc_dim=1024, video_hidden=1024,
                backbone="efficientnet_lite0", image_size=64)
    model = train.build_model(dims, a.seed)
    weights = pretrained.default_weights("efficientnet_lite0")
    pretrained.load_pretrained(model.f, weights, "efficientnet_lite0")
    train.train(model, data, cfg, pretrained=True)
    d = features.dump(model, images["X"], videos["K"], videos["Y"], torch.device("cpu"))
    y, split, C = videos["labels"], videos["split"], len(m.classes)
    fit = semantics.fit_all(d["F"], images["labels"], d["H"], d["G"], y, split == "train", S,
                            [10.0 ** e for e in range(-2, 7)], "mean", a.seed, True)
    blocks = methods.divafn_features(fit["arrays"])
    h = features.pool_keyframes(d["H"])
    res = methods.compare({"semantic": blocks, "semantic+y": blocks + [videos["Y"]], "[h;g]": [h, d["G"]]},
                          y, split, C, seed=a.seed)
    res["image_only"] = methods.image_only(d["F"], images["labels"], h, y, split, C, seed=a.seed)
    out = {k: round(100 * v["accuracy"], 1) for k, v in res.items()}
    align = stats.alignment_scores(d["F"], d["H"], d["G"], images["labels"], y, split == "test", C)
    out.update({f"alignment {k}": round(100 * v, 1) for k, v in align.items()})
    print(json.dumps(dict(overrides=json.loads(a.overrides), seed=a.seed, **out)))
    return out


if __name__ == "__main__":
    main()
