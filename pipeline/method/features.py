"""Feature dump: F, H, G of every item through the trained networks (eval mode, no gradients).

`evaluate` is the one batched evaluation-mode forward pass: the dump's, and training's for its buffers.

The pictures are read a batch at a time (images and keyframes as pipeline.io.rows.Rows, or arrays): what is
held is one batch and the (n, c) outputs.
"""
import numpy as np
import torch

from pipeline.io.rows import as_rows


@torch.no_grad()
def evaluate(net, X, device, batch: int | None = 512, forward=None) -> torch.Tensor:
    """forward(X) (net's own forward by default) with net in evaluation mode, `batch` items at a time (None: all at
    once), as float32 on `device`; net is left in the mode it was in. X: a tensor, an array or Rows, n ≥ 1 items."""
    forward, was_training, step = forward or net, net.training, batch or len(X)
    net.eval()
    out = torch.cat([forward(torch.as_tensor(X[i:i + step]).to(device, non_blocking=True)).float()
                     for i in range(0, len(X), step)])
    net.train(was_training)
    return out


def _apply(net, X, device, batch):
    if len(X) == 0:
        return np.zeros((0, net_out_dim(net)), np.float32)
    return evaluate(net, X, device, batch).cpu().numpy()


def net_out_dim(net) -> int:
    return net.full[-1].out_features


def dump(model, images, keyframes, video_features: np.ndarray, device, batch: int = 256) -> dict:
    """F (n_img, c) of the images, H (n_vid, k, c) of every video's keyframes, G (n_vid, c) of the videos.

    images (n_img, px, px, 3) and keyframes (n_vid, k, px, px, 3): uint8 arrays or Rows.
    """
    model.to(device)
    n, k = keyframes.shape[:2]
    H = _apply(model.f, as_rows(keyframes).keyframes(k), device, batch).reshape(n, k, -1)
    return dict(F=_apply(model.f, as_rows(images), device, batch), H=H,
                G=_apply(model.g, video_features.astype(np.float32), device, batch))


def pool_keyframes(H: np.ndarray, how: str = "mean") -> np.ndarray:
    """h (n_vid, c): a video's keyframe features (n_vid, k, c) pooled into one (mean or max)."""
    return H.mean(1) if how == "mean" else H.max(1)
