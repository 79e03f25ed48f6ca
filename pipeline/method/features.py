"""Feature dump: F, H, G of every item through the trained networks (eval mode, no gradients).

The pictures are read a batch at a time (images and keyframes as pipeline.io.rows.Rows, or arrays): what is
held is one batch and the (n, c) outputs.
"""
import numpy as np
import torch

from pipeline.io.rows import as_rows


@torch.no_grad()
def _apply(net, X, device, batch):
    net.eval()
    out = [net(torch.as_tensor(X[i:i + batch]).to(device)).float().cpu() for i in range(0, len(X), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, net_out_dim(net)), np.float32)


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
