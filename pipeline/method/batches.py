"""How Algorithm 1's mini-batches are drawn and perturbed: the video side's batches, the still items' augmentation."""
import math

import torch
import torch.nn.functional as nnf


def video_batches(n: int, size: int, steps: int, gen: torch.Generator) -> list:
    """`steps` batches of min(size, n) indices into n items, cut from consecutive shuffles of all n: every item
    appears once per shuffle, so equally often (±1) however many steps there are."""
    size = min(size, n)
    perms = [torch.randperm(n, generator=gen) for _ in range(math.ceil(steps * size / n))]
    stream = torch.cat(perms) if perms else torch.zeros(0, dtype=torch.long)
    return [stream[i * size:(i + 1) * size] for i in range(steps)]


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and shifts (up to 1/8 of the side, edges replicated) of (n, px, px, 3) uint8 stills.

    Trained from scratch on a few hundred images, f otherwise fits the images' exact pixels and carries
    less to the video frames than its random initial weights do.
    """
    n, S = x.shape[0], x.shape[1]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip.view(n, 1, 1, 1).to(x.device), x.flip(2), x)
    pad = max(S // 8, 1)
    padded = nnf.pad(x.permute(0, 3, 1, 2).float(), (pad, pad, pad, pad), mode="replicate")   # (n, 3, S+2p, S+2p)
    dy, dx = torch.randint(0, 2 * pad + 1, (2, n), generator=gen)
    rows = (dy.view(n, 1) + torch.arange(S)).to(x.device)                                   # (n, S)
    cols = (dx.view(n, 1) + torch.arange(S)).to(x.device)
    out = padded[torch.arange(n, device=x.device).view(n, 1, 1), :, rows.view(n, S, 1), cols.view(n, 1, S)]
    return out.to(torch.uint8)                                                               # (n, px, px, 3)


def augment_share(x: torch.Tensor, p: float, gen: torch.Generator) -> tuple:
    """(x with a share p of its stills augmented, which of them were not): each still independently, so the
    un-augmented ones (`plain`, a bool (n,) on the CPU) can refresh the feature buffers."""
    plain = torch.rand(len(x), generator=gen) >= p
    return torch.where(plain.to(x.device).view(-1, 1, 1, 1), x, augment(x, gen)), plain
