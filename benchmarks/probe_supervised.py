"""DIVAFN's f against f fine-tuned by plain cross-entropy on the same labelled stills: the objective, or the data?

    PYTHONPATH=. python benchmarks/probe_supervised.py artifacts/SYNTHETIC/TrainDIVAFN-<hash>/model.pt

Where divafn's lead over video_only falls short (docs/results.md, "What bounds the lead"), divafn scores as the
linear SVM on [h;y], the keyframe feature h beside the raw video feature y, so the lead is what f makes of the
keyframes. This asks whether a standard supervised learner makes more of them from the same labels. Given one
TrainDIVAFN's model.pt (trained with keyframes), it reads the inputs that model was trained on (its provenance's
`inputs`, in its pair folder) as TrainDIVAFN and DumpFeatures read them, and compares
  divafn          that model, as the run trained it (Algorithm 1: similarity and autoencoder terms)
  cross_entropy   f from the same initial weights (ImageNet's for the trunk, the same seed's head) trained with
                  the run's recipe (its TrainConfig: AdamW, the trunk at lr_trunk · lr_x, the cosine schedule,
                  augment_p, epochs, batch size, seed) but by softmax cross-entropy through a new linear C-way layer
                  on f's c-d output, over the images and the training videos' keyframes (the labelled stills
                  DIVAFN's f sees); g keeps its initial weights
scored each with the pipeline's own SVM and split: keyframe_only (h), [h;y], image_only (the SVM trained on the
images' F), divafn's blocks [W_H h; W_G g; W_E e] from semantics.fit_all, and the alignment. The scoring uses
ProjectSemantics' and FitClassifier's default settings (λ grid 1e-2 … 1e6, mean pooling, centring, SVM C 1,
block scaling), so it reproduces a run made with those. Everything runs on the CPU (about 50 s on SYNTHETIC's
default size with 2 cores).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as nnf
from torch import nn

from pipeline.data import manifest
from pipeline.evaluation import methods
from pipeline.io import assemble, h5io, rows
from pipeline.method import checkpoint, features, pretrained, semantics, train
from pipeline.method.batches import augment_share
from pipeline.report import stats


def train_cross_entropy(model, data: train.TrainData, cfg: train.TrainConfig, n_classes: int, from_imagenet: bool) -> list:
    """Train model.f in place by softmax cross-entropy on data's images and keyframes; the loss per epoch.

    from_imagenet: f's trunk starts from ImageNet weights (it then learns at lr_trunk · lr_x, as in train.train)."""
    gen = train.seeded(cfg.seed)               # as train.train seeds: dropout's draws, and the batch order's
    X = rows.concat(data.X, data.K)
    y = torch.from_numpy(np.concatenate([data.y_X, data.y_K])).long()
    head = nn.Linear(model.W_F.shape[1], n_classes)
    opt = train.optimiser_x(model.f, cfg, from_imagenet)
    opt.add_param_group(dict(params=list(head.parameters()), lr=cfg.lr_x))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs)
    model.f.train()
    history = []
    for _ in range(cfg.epochs):
        total = 0.0
        for b in torch.randperm(len(X), generator=gen).split(cfg.batch_size):
            xb = X[b]
            if cfg.augment:                      # the same share of each batch augmented as DIVAFN's training
                xb, _ = augment_share(xb, cfg.augment_p, gen)
            loss = nnf.cross_entropy(head(model.f(xb)), y[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(b) / len(X)
        sched.step()
        history.append(round(total, 4))
    return history


def score(model, images, videos, S, seed: int) -> dict:
    """The pipeline's SVM on what this model's f (and g) make of the run's stills and videos, in %."""
    d = features.dump(model, images["X"], videos["K"], videos["Y"], torch.device("cpu"))
    y, split, C = videos["labels"], videos["split"], len(S)
    h = features.pool_keyframes(d["H"])
    fit = semantics.fit_all(d["F"], images["labels"], d["H"], d["G"], y, split == "train", S,
                            [10.0 ** e for e in range(-2, 7)], "mean", seed, True)
    res = methods.compare({"keyframe_only": [h], "[h;y]": [h, videos["Y"]],
                           "divafn": methods.divafn_features(fit["arrays"])}, y, split, C, seed=seed)
    res["image_only"] = methods.image_only(d["F"], images["labels"], h, y, split, C, seed=seed)
    out = {k: round(100 * v["accuracy"], 1) for k, v in res.items()}
    align = stats.alignment_scores(d["F"], d["H"], d["G"], images["labels"], y, split == "test", C)
    return dict(out, **{f"alignment {k}": round(100 * v, 1) for k, v in align.items()})


def read_training_inputs(model_path, ckpt) -> tuple:
    """(manifest, images, videos, TrainData, S) of the inputs model.pt was trained on, as TrainDIVAFN read them."""
    pair = Path(model_path).parent.parent
    inputs = [pair / Path(p).parent.name / Path(p).name for p in ckpt["provenance"]["inputs"]]

    def of(stage):
        return sorted(str(p) for p in inputs if p.parent.name.startswith(stage + "-"))

    m = manifest.Manifest.from_json(of("BuildManifest")[0])
    images, keyframes, video_features = assemble.read_inputs(of("PrepareImages")[0], of("ExtractKeyframes"),
                                                             of("ExtractVideoFeatures"))
    S = h5io.read(of("EmbedClassNames")[0], "classnames")["S"]
    data = assemble.training_data(m, images, keyframes, video_features, S, use_keyframes=ckpt["use_keyframes"])
    return m, images, assemble.video_arrays(m, keyframes, video_features), data, S


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", help="a TrainDIVAFN-*/model.pt trained with keyframes (the one a run's report.md lists)")
    a = p.parse_args(argv)
    ckpt = checkpoint.load(a.model)
    if not ckpt["use_keyframes"]:
        raise SystemExit(f"{a.model}: trained without keyframes (CompareMethods' divafn_no_keyframes chain); give the "
                         f"main chain's model.pt, the TrainDIVAFN one that the run's report.md lists under its artifacts")
    cfg = train.TrainConfig(**ckpt["config"])
    m, images, videos, data, S = read_training_inputs(a.model, ckpt)
    out = dict(seed=cfg.seed, n_test=int((videos["split"] == "test").sum()))
    y, split = videos["labels"], videos["split"]
    out["video_only"] = round(100 * methods.compare({"y": [videos["Y"]]}, y, split, len(S), seed=cfg.seed)["y"]["accuracy"], 1)
    out["divafn"] = score(checkpoint.load_model(a.model), images, videos, S, cfg.seed)
    model = train.build_model(ckpt["dims"], cfg.seed)
    if ckpt["pretrained"]:
        pretrained.load_pretrained(model.f, ckpt["pretrained"], ckpt["dims"]["backbone"])
    model.g.set_input_stats(torch.from_numpy(data.Y).float(), per_dimension=cfg.video_input == "standardise")
    out["cross_entropy loss per epoch"] = train_cross_entropy(model, data, cfg, len(m.classes), bool(ckpt["pretrained"]))
    out["cross_entropy"] = score(model, images, videos, S, cfg.seed)
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
