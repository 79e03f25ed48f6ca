"""The pooled appearance feature of a video: ImageNet EfficientNet-Lite0 features averaged over its frames.

The paper feeds g C3D fc6, which carries appearance and motion; the motion descriptor
(pipeline.video.motion) has none of the first. This feature is the frozen ImageNet trunk of
models.efficientnet (the same weights that initialise f, never fine-tuned here) applied to `n` frames spread
evenly over the video, taken in ExtractKeyframes' one decoding pass, and averaged: (1280,) per video.
torch is imported when the feature is built, so that the video stages without it never load torch.
"""
import numpy as np

DIM = 1280


class PooledAppearance:
    """Callable: frames (n, px, px, 3) uint8 of one video → (DIM,) float32, the mean of the trunk's pooled outputs."""

    def __init__(self, image_size: int, device="cpu"):
        from models.efficientnet import EfficientNetLite0
        from pipeline.method.pretrained import default_weights, load_pretrained
        weights = default_weights("efficientnet_lite0")
        net = EfficientNetLite0(c=1, fc_dim=1, image_size=image_size)
        load_pretrained(net, weights, "efficientnet_lite0")
        self.net, self.device = net.eval().to(device), device

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        import torch
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(frames)).to(self.device)
            x = (x.permute(0, 3, 1, 2).float() - self.net.mean) / self.net.std
            return self.net.trunk(x).mean(0).float().cpu().numpy()
