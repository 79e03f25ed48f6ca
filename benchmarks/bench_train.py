"""Training throughput of TrainDIVAFN's image side against the raw forward+backward of the same backbone.

    PYTHONPATH=. python benchmarks/bench_train.py                       # SYNTHETIC's sizes (64 px, fc 1024, batch 32)
    PYTHONPATH=. python benchmarks/bench_train.py --image-size 224 --fc-dim 4096 --batch-size 256 --device cuda

Side by side, in one process, alternating (train, raw, train, raw, …) so that a noisy machine hits both alike:
  - train: pipeline.method.train.train on random data of the given size (n still items, a few videos), timed per
    image-side step through its progress callback (steps 2..t_x of each epoch: steady state, no buffer
    initialisation, no video side);
  - raw: the same backbone (the same build_model and ImageNet weights, the same AdamW groups, bf16 autocast on
    CUDA as in train), on random uint8 batches of the same shape prepared beforehand: forward, sum, backward, step.
With augmentation (the default, `--augment true`) a share `--augment-p` of each batch is augmented; the buffer rows
of the rest come from the step's own output (efficientnet_lite0's training-mode output is its evaluation-mode one).
A backbone with dropout or batch-statistics BatchNorm (cnnf, alexnet, resnet18) instead recomputes each batch's
buffer rows in evaluation mode (one more forward pass, no backward), which the ratio then includes.
Both are images/s; the ratio train/raw says how much of the step's time the pipeline's training loop adds.
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch

from models import BACKBONES
from pipeline.method import pretrained, train
from pipeline.method.train import TrainConfig, TrainData


def build(dims, seed):
    """build_model with the backbone's default ImageNet weights (efficientnet_lite0's installed file)."""
    model = train.build_model(dims, seed)
    weights = pretrained.default_weights(dims["backbone"])
    if weights:
        pretrained.load_pretrained(model.f, weights, dims["backbone"])
    return model, bool(weights)


def make_data(n, size, n_videos, video_dim, n_classes, d, seed=0):
    rng = np.random.default_rng(seed)
    return TrainData(X=rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8), y_X=rng.integers(0, n_classes, n),
                     K=np.zeros((0, size, size, 3), np.uint8), y_K=np.zeros(0, np.int64),
                     Y=rng.normal(size=(n_videos, video_dim)).astype(np.float32), y_V=rng.integers(0, n_classes, n_videos),
                     S=rng.normal(size=(n_classes, d)).astype(np.float32))


def time_train(dims, data, cfg, device):
    """images/s over the image-side steps 2..t_x of every epoch (timestamps from train's progress callback)."""
    stamps = []
    model, from_imagenet = build(dims, cfg.seed)
    train.train(model, data, cfg, device, progress=lambda frac, msg: stamps.append((time.perf_counter(), msg)),
                pretrained=from_imagenet)
    if device.type == "cuda":
        torch.cuda.synchronize()
    t_x = -(-len(data.X) // cfg.batch_size)
    images, seconds = 0, 0.0
    for e in range(cfg.epochs):
        steps = [t for t, msg in stamps if msg.startswith(f"epoch {e + 1}/") and msg.endswith("image side")]
        assert len(steps) == t_x
        seconds += steps[-1] - steps[0]
        images += (t_x - 1) * cfg.batch_size        # steps 2..t_x; n a multiple of the batch size
    return images / seconds


def time_raw(dims, n, size, cfg, device, steps_per_epoch):
    model, from_imagenet = build(dims, cfg.seed)
    f = model.to(device).f
    opt = train.optimiser_x(f, cfg, from_imagenet)
    amp = dict(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randint(0, 256, (cfg.batch_size, size, size, 3), dtype=torch.uint8, generator=gen).to(device)
               for _ in range(4)]
    f.train()
    images, seconds = 0, 0.0
    for e in range(cfg.epochs):
        for step in range(steps_per_epoch):
            if step == 1:                                # as in time_train: steps 2..t_x
                if device.type == "cuda":
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
            with torch.autocast(**amp):
                out = f(batches[step % len(batches)]).float()
            loss = out.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds += time.perf_counter() - t0
        images += (steps_per_epoch - 1) * cfg.batch_size
    return images / seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backbone", default="efficientnet_lite0", choices=list(BACKBONES))
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--fc-dim", type=int, default=1024)
    p.add_argument("--c", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--augment", choices=["true", "false"], default="true", help="TrainConfig.augment")
    p.add_argument("--augment-p", type=float, default=TrainConfig.augment_p, help="TrainConfig.augment_p")
    p.add_argument("--steps", type=int, default=6, help="image-side steps per epoch (n = steps × batch size)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3, help="alternating train/raw measurements")
    p.add_argument("--videos", type=int, default=32)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--json", help="also write the figures here")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    device = train.resolve_device(a.device)
    n = a.steps * a.batch_size
    data = make_data(n, a.image_size, a.videos, 256, 8, 300)
    dims = dict(c=a.c, video_dim=256, d=300, fc_dim=a.fc_dim, video_hidden=256, backbone=a.backbone, image_size=a.image_size)
    cfg = TrainConfig(epochs=a.epochs, batch_size=a.batch_size, augment=a.augment == "true", augment_p=a.augment_p)
    results = dict(train=[], raw=[])
    for r in range(a.repeats):
        results["train"].append(time_train(dims, data, cfg, device))
        results["raw"].append(time_raw(dims, n, a.image_size, cfg, device, a.steps))
        print(f"repeat {r + 1}: train {results['train'][-1]:8.1f} images/s   raw {results['raw'][-1]:8.1f} images/s", flush=True)
    tr, raw = statistics.median(results["train"]), statistics.median(results["raw"])
    summary = dict(device=str(device), backbone=a.backbone, image_size=a.image_size, batch_size=a.batch_size, fc_dim=a.fc_dim,
                   augment=cfg.augment, augment_p=cfg.augment_p,
                   threads=torch.get_num_threads(), train_images_per_s=round(tr, 1), raw_images_per_s=round(raw, 1),
                   ratio=round(tr / raw, 3), repeats=results)
    print(f"median: TrainDIVAFN image side {tr:.1f} images/s, raw forward+backward {raw:.1f} images/s, "
          f"ratio {tr / raw:.3f} ({device}, {a.backbone}, {a.image_size} px, batch {a.batch_size}, "
          f"{torch.get_num_threads()} threads)")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(summary, fh, indent=1)
    return summary


if __name__ == "__main__":
    main()
