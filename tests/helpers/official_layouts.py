"""Tiny dataset trees in the publishers' official layouts (DESIGN §4), with real codecs and image files.

Each `make_*` writes one dataset under `data_root/<usual folder>` and returns its folder. Content is
SYNTHETIC's renderer (so items are real pictures and motions), sizes are tiny so that the whole
pipeline runs in seconds. The trees carry what real downloads carry: CRLF split lists (UCF101),
classes listed that no pair uses, folder names spelt differently from the class tables, several image
kinds (RGB/CMYK/greyscale JPEG, PNG with alpha), Xvid AVIs (written by tests/helpers/media.py).
"""
import re
from pathlib import Path

import numpy as np

from pipeline.data import synthetic
from tests.helpers.media import IMAGE_KINDS, write_clip, write_image

SPEC = synthetic.SyntheticSpec(images_per_class=0, train_videos_per_class=0, test_videos_per_class=0,
                               frames=12, width=64, height=48, fps=25)


def video(k: int, i: int) -> np.ndarray:
    return synthetic.render_video(np.random.default_rng([7, k, i]), k % 8, SPEC)


def image(k: int, i: int) -> np.ndarray:
    return synthetic.render_image(np.random.default_rng([8, k, i]), k % 8)[:64, :64]


def _crlf(lines) -> bytes:
    return "".join(ln + "\r\n" for ln in lines).encode()


def make_ucf101(data_root, classes, n_train=2, n_test=1, unused=("Typing", "NotInAnyTable"), splits=(1, 2, 3),
                codec="xvid") -> Path:
    """`UCF101/UCF-101/<C>/v_<C>_gGG_c01.avi` and `UCF101/ucfTrainTestlist/` (classInd, train/testlistNN, CRLF).

    Split s puts group s's video (g01..) of each class on the test side, the others on the training side,
    so splits differ. `unused` classes are listed (in classInd and the lists) but have no files at all.
    """
    root = Path(data_root) / "UCF101"
    lists = root / "ucfTrainTestlist"
    lists.mkdir(parents=True)
    all_classes = list(classes) + [c for c in unused if c not in classes]
    n = n_train + n_test
    names = {}
    for k, cls in enumerate(all_classes):
        names[cls] = [f"{cls}/v_{cls}_g{g + 1:02d}_c01.avi" for g in range(n)]
        if cls in classes:
            (root / "UCF-101" / cls).mkdir(parents=True)
            for g, name in enumerate(names[cls]):
                write_clip(root / "UCF-101" / name, video(k, g), codec)
    (lists / "classInd.txt").write_bytes(_crlf(f"{k + 1} {c}" for k, c in enumerate(all_classes)))
    for s in splits:
        train, test = [], []
        for k, cls in enumerate(all_classes):
            test_idx = {(s - 1 + j) % n for j in range(n_test)}
            train += [f"{names[cls][g]} {k + 1}" for g in range(n) if g not in test_idx]
            test += [names[cls][g] for g in range(n) if g in test_idx]
        (lists / f"trainlist{s:02d}.txt").write_bytes(_crlf(train))
        (lists / f"testlist{s:02d}.txt").write_bytes(_crlf(test))
    return root


def make_hmdb51(data_root, classes, n_train=2, n_test=1, unused=("brush_hair",), splits=(1, 2, 3)) -> Path:
    """`HMDB51/<class>/<name>.avi` and `HMDB51/testTrainMulti_7030_splits/<class>_test_splitN.txt`.

    Names carry the characters real HMDB51 names do (#, !, parentheses). Each split file also lists
    one video with flag 0 (not used in that split). `unused` classes have split files but no videos.
    """
    root = Path(data_root) / "HMDB51"
    lists = root / "testTrainMulti_7030_splits"
    lists.mkdir(parents=True)
    n = n_train + n_test + 1                           # + one unused (flag 0) video
    for k, cls in enumerate(list(classes) + list(unused)):
        names = [f"#{g}_Clip_(x!)_{cls}_f_cm_np1_ri_med_{g}.avi" for g in range(n)]
        if cls in classes:
            (root / cls).mkdir()
            for g, name in enumerate(names):
                write_clip(root / cls / name, video(k, g), "xvid")
        for s in splits:
            test_idx = {(s - 1 + j) % (n - 1) for j in range(n_test)}
            flags = ["2" if g in test_idx else "1" for g in range(n - 1)] + ["0"]
            (lists / f"{cls}_test_split{s}.txt").write_text("".join(f"{nm} {f} \n" for nm, f in zip(names, flags)))
    return root


def make_stanford40(data_root, actions, n_per_split=1, unused=("applauding", "jumping")) -> Path:
    """`Stanford40/JPEGImages/<action>_NNN.jpg`, `Stanford40/ImageSplits/{actions,<action>_train,_test}.txt`.

    `unused` actions are listed (with split files) but have no images. Image kinds cycle through
    RGB, CMYK and greyscale JPEG.
    """
    root = Path(data_root) / "Stanford40"
    (root / "JPEGImages").mkdir(parents=True)
    (root / "ImageSplits").mkdir()
    all_actions = list(actions) + [a for a in unused if a not in actions]
    for k, action in enumerate(all_actions):
        files = [f"{action}_{i + 1:03d}.jpg" for i in range(2 * n_per_split)]
        if action in actions:
            for i, name in enumerate(files):
                write_image(root / "JPEGImages" / name, image(k, i), IMAGE_KINDS[(k + i) % 3])
        (root / "ImageSplits" / f"{action}_train.txt").write_text("".join(f + "\n" for f in files[:n_per_split]))
        (root / "ImageSplits" / f"{action}_test.txt").write_text("".join(f + "\n" for f in files[n_per_split:]))
    (root / "ImageSplits" / "actions.txt").write_text(
        "action_name\tnumber_of_images\n" + "".join(f"{a}\t{2 * n_per_split}\n" for a in all_actions))
    return root


def spell(name: str, k: int) -> str:
    """The folder name a publisher might use for class `name`: spaces, underscores, or capitalised words."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").split()
    return [" ".join(words).lower(), "_".join(words), "-".join(w.capitalize() for w in words)][k % 3]


def make_imagefolder(data_root, folder, classes, n=2, unused=("some_other_action",), respell=True) -> Path:
    """`<folder>/<class>/<images>`, one folder per class (BU101, ASD, EAD); every image kind appears,
    class folders are spelt in varied ways (when `respell`), `unused` folders hold images of no pair."""
    root = Path(data_root) / folder
    root.mkdir(parents=True)
    for k, cls in enumerate(list(classes) + list(unused)):
        d = root / (spell(cls, k) if respell else cls)
        d.mkdir()
        for i in range(n):
            write_image(d / f"img_{i:04d}.JPG" if i % 2 else d / f"img_{i:04d}.jpeg", image(k, i),
                        IMAGE_KINDS[(k + i) % len(IMAGE_KINDS)])
    return root
