"""SYNTHETIC: a small, deterministic image→video transfer problem, written in the official layouts.

Each of the 8 classes k has an appearance and a motion:
  - appearance: the actor's colour family, hue k/8 (jittered, so neighbouring families overlap);
    the actor's shape is random and carries no class information;
  - motion m(k) = ⌊(k+1)/2⌋ mod 4 of swing, bounce, circle, pulse: every motion is shared by two
    classes whose colours are far apart (0 & 7, 1 & 2, 3 & 4, 5 & 6).
So the video feature (motion, which no single frame shows) tells a class only up to its motion twin,
still frames tell it only up to colour confusions, and the two together tell it best: images and
keyframes carry appearance, videos carry motion, and fusion resolves what either leaves open.

Domain shift between the still images and the video frames: images show the actor larger, more
saturated, on brighter striped backgrounds, as JPEGs of varied size; video frames show it smaller,
on darker smooth scenes, with sensor noise and a drifting distractor blob. Few labelled training
videos per class, many labelled images.

Written as Stanford40 (`JPEGImages/`, `ImageSplits/`) and UCF101 (`UCF-101/`, `ucfTrainTestlist/`,
CRLF lists, splits 1-3) under `<root>/Stanford40` and `<root>/UCF101`, and read back by the same
readers as the real datasets.
"""
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.data.pairs import SYNTHETIC_MAP
from pipeline.video.encode import write_video

log = logging.getLogger(__name__)

N_CLASSES, N_MOTIONS = 8, 4
SHAPES = ("disk", "square", "triangle", "cross")
MOTIONS = ("swing", "bounce", "circle", "pulse")


@dataclass(frozen=True)
class SyntheticSpec:
    images_per_class: int
    train_videos_per_class: int
    test_videos_per_class: int
    frames: int
    width: int = 128
    height: int = 96
    fps: int = 25


SIZES = {
    "default": SyntheticSpec(images_per_class=40, train_videos_per_class=4, test_videos_per_class=30, frames=40),
    "tiny": SyntheticSpec(images_per_class=10, train_videos_per_class=2, test_videos_per_class=3, frames=24),
}


def class_factors(k: int):
    """(appearance, motion) of class k; see the module docstring."""
    return k, ((k + 1) // 2) % N_MOTIONS


def _shape_mask(shape, X, Y, cx, cy, r, angle):
    c, s = np.cos(angle), np.sin(angle)
    dx, dy = (X - cx) * c + (Y - cy) * s, -(X - cx) * s + (Y - cy) * c
    if shape == 0:
        return dx ** 2 + dy ** 2 <= r ** 2
    if shape == 1:
        return np.maximum(np.abs(dx), np.abs(dy)) <= 0.85 * r
    if shape == 2:
        return (dy <= 0.7 * r) & (np.abs(dx) <= (dy + r) * 0.6)
    w = 0.33 * r
    return ((np.abs(dx) <= w) & (np.abs(dy) <= r)) | ((np.abs(dy) <= w) & (np.abs(dx) <= r))


def _colour(rng, appearance: int, saturation: float):
    """The object's colour (RGB in [0, 1]): a hue family per appearance, jittered, at `saturation`."""
    h = (appearance / N_CLASSES + rng.uniform(-0.06, 0.06)) % 1.0
    rgb = np.clip(np.abs((h * 6 + np.array([0, 4, 2])) % 6 - 3) - 1, 0, 1)
    return (1 - saturation) * 0.6 + saturation * rgb


def _video_background(rng, h, w, X, Y):
    a, b = rng.uniform(0.05, 0.45, 3), rng.uniform(0.05, 0.45, 3)
    t = np.cos(rng.uniform(0, np.pi)) * X / w + np.sin(rng.uniform(0, np.pi)) * Y / h
    t = (t - t.min()) / (np.ptp(t) + 1e-9)
    return a * (1 - t[..., None]) + b * t[..., None]


def _image_background(rng, h, w, X, Y):
    base = rng.uniform(0.3, 0.8, 3)
    theta, freq = rng.uniform(0, np.pi), rng.uniform(0.05, 0.2)
    stripes = 0.12 * np.sin(freq * (np.cos(theta) * X + np.sin(theta) * Y))
    return np.clip(base + stripes[..., None], 0, 1)


def render_video(rng, k: int, spec: SyntheticSpec) -> np.ndarray:
    """(frames, H, W, 3) uint8 frames of one video of class k."""
    appearance, motion = class_factors(k)
    shape = int(rng.integers(len(SHAPES)))
    h, w = spec.height, spec.width
    Y, X = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = _video_background(rng, h, w, X, Y)
    colour, r, angle = _colour(rng, appearance, rng.uniform(0.65, 0.9)), rng.uniform(11, 14), rng.uniform(0, 2 * np.pi)
    amp, period, phase = rng.uniform(14, 20), rng.uniform(14, 22), rng.uniform(0, 2 * np.pi)
    cx0, cy0 = rng.uniform(w * 0.35, w * 0.65), rng.uniform(h * 0.35, h * 0.65)
    blob = (rng.uniform(0, w), rng.uniform(0, h), rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6), rng.uniform(0.1, 0.3))
    out = np.empty((spec.frames, h, w, 3), np.uint8)
    for t in range(spec.frames):
        p = 2 * np.pi * t / period + phase
        cx, cy, rr = cx0, cy0, r
        if motion == 0:
            cx = cx0 + amp * np.sin(p)
        elif motion == 1:
            cy = cy0 + 0.7 * amp * np.sin(p)
        elif motion == 2:
            cx, cy = cx0 + 0.8 * amp * np.cos(p), cy0 + 0.6 * amp * np.sin(p)
        else:
            rr = r * (1 + 0.45 * np.sin(p))
        bx, by = blob[0] + blob[2] * t, blob[1] + blob[3] * t
        img = bg + blob[4] * np.exp(-((X - bx) ** 2 + (Y - by) ** 2) / 120.0)[..., None]
        img = np.where(_shape_mask(shape, X, Y, cx, cy, rr, angle)[..., None], colour, img)
        img = img + rng.normal(0, 0.025, img.shape)
        out[t] = np.clip(img * 255, 0, 255).astype(np.uint8)
    return out


def render_image(rng, k: int) -> np.ndarray:
    """(H, W, 3) uint8 still image of class k's appearance, in the image domain."""
    appearance, _ = class_factors(k)
    shape = int(rng.integers(len(SHAPES)))
    h, w = int(rng.integers(112, 161)), int(rng.integers(112, 161))
    Y, X = np.mgrid[0:h, 0:w].astype(np.float32)
    img = _image_background(rng, h, w, X, Y)
    r = rng.uniform(0.13, 0.22) * min(h, w)
    cx, cy = rng.uniform(0.3 * w, 0.7 * w), rng.uniform(0.3 * h, 0.7 * h)
    img = np.where(_shape_mask(shape, X, Y, cx, cy, r, rng.uniform(0, 2 * np.pi))[..., None], _colour(rng, appearance, rng.uniform(0.75, 1.0)), img)
    return np.clip(img * 255, 0, 255).astype(np.uint8)


def _crlf(lines):
    return "".join(ln + "\r\n" for ln in lines)


def generate(root, seed: int = 0, size: str = "default", progress=lambda done, total: None) -> None:
    """Write SYNTHETIC's Stanford40 and UCF101 trees under `root` (deterministic in `seed`)."""
    spec = SIZES[size]
    root = Path(root)
    actions, classes = list(SYNTHETIC_MAP), list(SYNTHETIC_MAP.values())
    n_vid = spec.train_videos_per_class + spec.test_videos_per_class
    total, done = len(classes) * (n_vid + spec.images_per_class), 0

    ucf = root / "UCF101"
    lists = ucf / "ucfTrainTestlist"
    lists.mkdir(parents=True)
    names = {}
    for k, cls in enumerate(classes):
        (ucf / "UCF-101" / cls).mkdir(parents=True)
        names[cls] = []
        for i in range(n_vid):
            name = f"{cls}/v_{cls}_g{i + 1:02d}_c01.avi"
            frames = render_video(np.random.default_rng([seed, 1, k, i]), k, spec)
            write_video(ucf / "UCF-101" / name, frames, spec.fps)   # MPEG-4 Part 2 in AVI, as UCF101 ships
            names[cls].append(name)
            done += 1
            progress(done, total)
    (lists / "classInd.txt").write_bytes(_crlf(f"{k + 1} {c}" for k, c in enumerate(classes)).encode())
    for s in (1, 2, 3):
        rng = np.random.default_rng([seed, 2, s])
        train, test = [], []
        for k, cls in enumerate(classes):
            order = rng.permutation(n_vid)
            train += [f"{names[cls][i]} {k + 1}" for i in sorted(order[:spec.train_videos_per_class])]
            test += [names[cls][i] for i in sorted(order[spec.train_videos_per_class:])]
        (lists / f"trainlist{s:02d}.txt").write_bytes(_crlf(train).encode())
        (lists / f"testlist{s:02d}.txt").write_bytes(_crlf(test).encode())

    sta = root / "Stanford40"
    (sta / "JPEGImages").mkdir(parents=True)
    (sta / "ImageSplits").mkdir()
    for k, action in enumerate(actions):
        files = []
        for i in range(spec.images_per_class):
            name = f"{action}_{i + 1:03d}.jpg"
            Image.fromarray(render_image(np.random.default_rng([seed, 3, k, i]), k)).save(sta / "JPEGImages" / name, quality=90)
            files.append(name)
            done += 1
            progress(done, total)
        half = len(files) // 2
        (sta / "ImageSplits" / f"{action}_train.txt").write_text("\n".join(files[:half]) + "\n")
        (sta / "ImageSplits" / f"{action}_test.txt").write_text("\n".join(files[half:]) + "\n")
    (sta / "ImageSplits" / "actions.txt").write_text(
        "action_name\tnumber_of_images\n" + "".join(f"{a}\t{spec.images_per_class}\n" for a in actions))
