"""Training and the feature dump on pictures read from their files a batch at a time (pipeline.io.rows) give
exactly what they give on the same pictures in memory: only where the bytes come from changes."""
import numpy as np
import torch

from pipeline.io import h5io
from pipeline.io.rows import Rows
from pipeline.method import features, train


def test_train_and_dump_from_files_equal_train_and_dump_from_arrays(tmp_path):
    r = np.random.default_rng(0)
    C, px = 3, 64                                       # classes; the side of a picture in pixels
    X, K = r.integers(0, 256, (10, px, px, 3), dtype=np.uint8), r.integers(0, 256, (4, 2, px, px, 3), dtype=np.uint8)
    h5io.write(tmp_path / "images.h5", "images", dict(X=X), {})
    h5io.write(tmp_path / "kf.h5", "keyframes", dict(K=K), {})
    rest = dict(y_X=np.arange(10) % C, y_K=np.arange(8) % C, Y=r.normal(size=(4, 7)).astype(np.float32),
                y_V=np.arange(4) % C, S=r.normal(size=(C, 5)).astype(np.float32))
    kf = Rows.of_h5([tmp_path / "kf.h5"], "K")
    runs = []
    for data in (train.TrainData(X=X, K=K.reshape(-1, px, px, 3), **rest),
                 train.TrainData(X=Rows.of_h5([tmp_path / "images.h5"], "X"), K=kf.keyframes(2), **rest)):
        model = train.build_model(dict(c=4, video_dim=7, d=5, fc_dim=16, video_hidden=8, backbone="cnnf", image_size=px), 0)
        cfg = train.TrainConfig(epochs=1, batch_size=4, augment=True)   # augmented, with dropout: the recompute path
        history = train.train(model, data, cfg)
        dumped = features.dump(model, data.X, K if isinstance(data.X, np.ndarray) else kf, data.Y, torch.device("cpu"), batch=3)
        runs.append((history, model.state_dict(), dumped))
    (h0, s0, d0), (h1, s1, d1) = runs
    assert [{k: v for k, v in e.items() if k != "seconds"} for e in h0] == \
           [{k: v for k, v in e.items() if k != "seconds"} for e in h1]
    assert all(torch.equal(s0[k], s1[k]) for k in s0)
    assert all(np.array_equal(d0[k], d1[k]) for k in ("F", "H", "G")) and d1["H"].shape == (4, 2, 4)
