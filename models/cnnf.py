import torch
from torch import nn

# ImageNet statistics: the usual normalisation of CNN-F/AlexNet-style inputs.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def on_sphere(z: torch.Tensor, scale: float) -> torch.Tensor:
    """The representation at a fixed length `scale`: z · scale / ‖z‖.

    Trained from scratch, L_sim (mostly negative pairs) otherwise finds its trivial optimum first:
    every output shrinks to the same point (Θ = 0, L = n log 2), and the classes never separate.
    At a fixed length, Θ = ½⟨a, b⟩ ∈ [−scale²/2, scale²/2] can only be lowered by separating classes.
    (The paper starts θx from ImageNet weights, whose features are discriminative from the start.)
    """
    return scale * nn.functional.normalize(z, dim=1)


class LRN(nn.LocalResponseNorm):
    r"""Local response normalisation in MatConvNet's terms (vl_nnnormalize), PARAM = [N κ α β]:

    y_k = x_k / (κ + α Σ_{q ∈ Q(k)} x_q²)^β,
    Q(k) = [k − ⌊(N−1)/2⌋, k + ⌈(N−1)/2⌉] (channels; N odd here).
    torch's LocalResponseNorm divides its alpha by N (Caffe's convention), so it gets alpha = α·N.
    The four numbers are the buffer `param` (a model.pt keeps them: a file's κ, α survive save/load);
    the defaults are CNNF's from-scratch settings (torch LocalResponseNorm(5, 1e-4, 0.75, 2)).
    """

    def __init__(self, N: int = 5, kappa: float = 2.0, alpha: float = 1e-4 / 5, beta: float = 0.75):
        super().__init__(N, alpha * N, beta, kappa)
        self.register_buffer("param", torch.zeros(4))
        self.set(N, kappa, alpha, beta)

    def set(self, N: int, kappa: float, alpha: float, beta: float) -> None:
        if N != int(N) or N < 1 or N % 2 == 0:   # an even N centres MatConvNet's window differently from torch's
            raise ValueError(f"LRN window N={N}: an odd positive integer is supported")
        self.param.copy_(torch.tensor([N, kappa, alpha, beta], dtype=torch.float32))
        self._sync()

    def _sync(self) -> None:   # torch's attributes from the buffer (read once here, never in forward)
        N, kappa, alpha, beta = self.param.tolist()
        self.size, self.alpha, self.beta, self.k = int(N), alpha * N, beta, kappa

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
        if prefix + "param" in missing_keys:     # a model.pt from before `param` (made with the defaults): keep
            missing_keys.remove(prefix + "param")   # the current settings, as a non-strict load keeps any missing key
        self._sync()


class StillNet(nn.Module):
    """What every image/keyframe network f shares: (n, px, px, 3) uint8 RGB in, normalised here with ImageNet
    statistics (callers move compact uint8 batches); a trunk; a new head full8 → c (`self.full[-1]`,
    N(0, 0.01²) as DCMH initialises new layers); the output at fixed length `scale` (`on_sphere`)."""

    def __init__(self, scale: float, mean=tuple(255 * m for m in MEAN), std=tuple(255 * s for s in STD)):
        super().__init__()
        self.scale = scale
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))    # on the 0..255 scale
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    @staticmethod
    def new_head(width: int, c: int) -> nn.Linear:
        head = nn.Linear(width, c)
        nn.init.normal_(head.weight, 0.0, 0.01)
        nn.init.zeros_(head.bias)
        return head

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def trunk_parameters(self):
        """The parameters that ImageNet weights initialise: all but the new head (TrainConfig.lr_trunk)."""
        head = set(map(id, self.full[-1].parameters()))
        return [p for p in self.parameters() if id(p) not in head]

    def trunk_features(self, x: torch.Tensor) -> torch.Tensor:
        """The trunk's output for (n, px, px, 3) uint8 RGB."""
        return self.trunk((x.permute(0, 3, 1, 2).float() - self.mean) / self.std)

    def head(self, t: torch.Tensor) -> torch.Tensor:
        """The representation (n, c) from the trunk's output t."""
        return on_sphere(self.full(t), self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk_features(x))                     # (n, c)


class CNNF(StillNet):
    """CNN-F (Chatfield et al. 2014), the paper's image/keyframe network f(·; θx) (its layer table).

    conv1 64×11×11 st 4, LRN, pool ×2 · conv2 256×5×5 pad 2, LRN, pool ×2 · conv3–5 256×3×3 pad 1,
    pool ×2 · full6 · full7 · full8 c. Pooling is 3×3 stride 2 in ceil mode (as in the Caffe/MatConvNet
    original), then an adaptive average pool to 6×6 so that any input size ≥ 64 px gives full6 the
    9216 inputs it has at 224 px. `fc_dim` is the width of full6/full7 (4096 in the paper). The
    output has fixed length `scale` (see `on_sphere`).
    Input: (n, px, px, 3) uint8 RGB, normalised here so that callers move compact uint8 batches.
    MatConvNet's imagenet-vgg-f.mat loads into it (pipeline/method/matconvnet.py): its LRN settings and its
    mean-only input normalisation (std 1) replace the defaults, as buffers that model.pt keeps.
    """

    def __init__(self, c: int, fc_dim: int = 4096, dropout: float = 0.5, scale: float = 4.0):
        super().__init__(scale)
        pool = dict(kernel_size=3, stride=2, ceil_mode=True)
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4), nn.ReLU(inplace=True), LRN(), nn.MaxPool2d(**pool),
            nn.Conv2d(64, 256, 5, padding=2), nn.ReLU(inplace=True), LRN(), nn.MaxPool2d(**pool),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(**pool),
            nn.AdaptiveAvgPool2d(6),
        )
        self.full = nn.Sequential(
            nn.Flatten(),
            nn.Linear(256 * 36, fc_dim), nn.ReLU(inplace=True), nn.Dropout(dropout),   # full6
            nn.Linear(fc_dim, fc_dim), nn.ReLU(inplace=True), nn.Dropout(dropout),     # full7
            self.new_head(fc_dim, c),                                                  # full8: the representation
        )

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)
