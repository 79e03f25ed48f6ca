"""The offline default video feature y: a motion descriptor that needs no weights.

From the grey thumbnails of all frames, a Lucas–Kanade flow (u, v) is estimated per frame pair in
each cell of a g×g grid (least squares on the brightness-constancy equation Ix·u + Iy·v + It = 0 over
the cell). The descriptor concatenates
  - per cell, a histogram of flow orientation (`bins` bins, weighted by flow magnitude, time-averaged):
    where things move and in which directions;
  - the temporal spectra of global series: mean u, mean v, mean divergence (expansion vs
    contraction), motion energy, and the centroid (x, y) and spread of the motion energy |It|,
    each |rfft| sampled at fixed frequencies (cycles/frame), plus each series' standard deviation:
    how things move over time (swinging, bouncing, circling, pulsing).
No single frame determines either part, so the feature carries motion and not appearance.
Histograms are square-rooted (Hellinger), which suits a linear classifier.

Memory: the per-pixel work (float images, gradients, products; ~30 times the thumbnails' bytes) is done on
CHUNK frame pairs at a time, so that a long video costs its uint8 thumbnails (3 KB a frame) plus a fixed
~50 MB. The result does not depend on CHUNK beyond float rounding (every per-pixel quantity belongs to one
frame pair, and the histogram is summed in frame order); the chunks are a function of the frame count, so one
video always gives the same bits.
"""
import numpy as np
from scipy.ndimage import uniform_filter

SPECTRUM_FREQS = np.linspace(0.02, 0.25, 8)   # cycles per frame
CHUNK = 256                                   # frame pairs whose per-pixel arrays are held at once


N_SERIES = 7


def dim(grid: int = 4, bins: int = 8) -> int:
    return grid * grid * bins + N_SERIES * (len(SPECTRUM_FREQS) + 1)


def _spectrum(series: np.ndarray) -> np.ndarray:
    s = series - series.mean()
    mag = np.abs(np.fft.rfft(s)) / max(len(s), 1)
    freqs = np.fft.rfftfreq(len(s))
    return np.interp(SPECTRUM_FREQS, freqs, mag) if len(s) > 1 else np.zeros(len(SPECTRUM_FREQS))


def motion_descriptor(thumbs: np.ndarray, grid: int = 4, bins: int = 8) -> np.ndarray:
    """(dim,) float32 descriptor of a video from its (T, h, w) uint8 grey thumbnails (T ≥ 2)."""
    T = len(thumbs)
    hist = np.zeros((grid, grid, bins), np.float64)
    parts = [_pair_series(thumbs[s:min(s + CHUNK, T - 1) + 1], grid, bins, hist) for s in range(0, T - 1, CHUNK)]
    series = [np.concatenate(p) for p in zip(*parts)]                          # 7 series of T-1 values
    hist = np.sqrt(hist / (T - 1))
    out = [hist.ravel()] + [np.append(_spectrum(s), s.std()) for s in series]
    return np.concatenate(out).astype(np.float32)


def _pair_series(thumbs: np.ndarray, grid: int, bins: int, hist: np.ndarray) -> tuple:
    """The frame pairs of (t, h, w) thumbnails: their flow added to `hist` (grid, grid, bins) in place, and
    their 7 global series (each (t-1,)): mean u, mean v, divergence, energy, centroid x, y, spread."""
    I = uniform_filter(thumbs.astype(np.float32) / 255.0, size=(1, 3, 3))
    T, h, w = I.shape
    Ix, Iy = np.gradient(I, axis=2), np.gradient(I, axis=1)
    Ix, Iy, It = (Ix[1:] + Ix[:-1]) / 2, (Iy[1:] + Iy[:-1]) / 2, I[1:] - I[:-1]   # (T-1, h, w)
    ch, cw = h // grid, w // grid

    def cells(a):  # (T-1, h, w) → (T-1, grid, grid) sums over each cell
        return a[:, :ch * grid, :cw * grid].reshape(T - 1, grid, ch, grid, cw).sum((2, 4))

    Sxx, Sxy, Syy, Sxt, Syt = cells(Ix * Ix), cells(Ix * Iy), cells(Iy * Iy), cells(Ix * It), cells(Iy * It)
    det = Sxx * Syy - Sxy ** 2 + 1e-3
    u = -(Syy * Sxt - Sxy * Syt) / det                                        # (T-1, grid, grid)
    v = -(Sxx * Syt - Sxy * Sxt) / det
    mag = np.hypot(u, v)
    b = ((np.arctan2(v, u) + np.pi) / (2 * np.pi) * bins).astype(int) % bins
    gi, gj = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    for t in range(T - 1):
        np.add.at(hist, (gi, gj, b[t]), mag[t])

    # Divergence: flow projected on the direction from the grid centre (positive = expansion).
    cy, cx = np.meshgrid(np.arange(grid) - (grid - 1) / 2, np.arange(grid) - (grid - 1) / 2, indexing="ij")
    div = (u * cx + v * cy).mean((1, 2))
    E = np.abs(It)                                                            # (T-1, h, w) motion energy
    energy = E.mean((1, 2))
    mass = E.sum((1, 2)) + 1e-6
    ys, xs = np.arange(h, dtype=np.float32) / h, np.arange(w, dtype=np.float32) / w
    cx, cy = (E.sum(1) @ xs) / mass, (E.sum(2) @ ys) / mass                   # where the motion is, per frame
    spread = np.sqrt(((E.sum(1) * (xs[None] - cx[:, None]) ** 2).sum(1)
                      + (E.sum(2) * (ys[None] - cy[:, None]) ** 2).sum(1)) / mass)
    return u.mean((1, 2)), v.mean((1, 2)), div, energy, cx, cy, spread
