"""One AdamW update of f (efficientnet_lite0, ImageNet weights, SYNTHETIC's sizes): PyTorch's per-tensor loop against
the fused implementation that TrainDIVAFN uses (pipeline.method.train.adamw).

    PYTHONPATH=. python benchmarks/bench_optimiser.py                  # 64 px, fc 1024, batch 32
    PYTHONPATH=. python benchmarks/bench_optimiser.py --steps 40 --device cuda

Each is timed over the same backward passes (one batch of random stills), the median over `--steps` updates after
two warm-up ones; the largest parameter difference after those steps says how far the two roundings drift apart.
"""
import argparse
import copy
import json
import statistics
import time

import torch

from pipeline.method import pretrained, train


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--fc-dim", type=int, default=1024)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--device", default="cpu")
    a = p.parse_args(argv)
    device = torch.device(a.device)
    dims = dict(c=64, video_dim=191, d=50, fc_dim=a.fc_dim, video_hidden=1024, backbone="efficientnet_lite0",
                image_size=a.image_size)
    model = train.build_model(dims, 0)
    pretrained.load_pretrained(model.f, pretrained.default_weights("efficientnet_lite0"), "efficientnet_lite0")
    x = torch.randint(0, 256, (a.batch_size, a.image_size, a.image_size, 3), dtype=torch.uint8, device=device)
    out = {}
    for name, fused in (("per-tensor loop", False), ("fused", True)):
        f = copy.deepcopy(model.f).to(device).train()
        opt = torch.optim.AdamW(f.parameters(), lr=1e-3, weight_decay=5e-4, fused=fused)
        seconds = []
        for _ in range(a.steps + 2):
            f(x).sum().backward()
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            opt.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds.append(time.perf_counter() - t0)
            opt.zero_grad(set_to_none=True)
        out[name] = (round(1e3 * statistics.median(seconds[2:]), 2),
                     torch.cat([q.detach().flatten().cpu() for q in f.parameters()]))
    (loop, p_loop), (fused, p_fused) = out["per-tensor loop"], out["fused"]
    result = dict(update_ms={"per-tensor loop": loop, "fused": fused}, ratio=round(loop / fused, 2),
                  max_param_difference=(p_fused - p_loop).abs().max().item(), device=a.device,
                  threads=torch.get_num_threads())
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
