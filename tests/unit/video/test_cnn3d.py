"""The 3D CNN video extractor (pipeline/video/cnn3d.py): local weights, 512-d features, clear errors."""
import numpy as np
import pytest
import torch

from pipeline.errors import DataError
from pipeline.video import cnn3d


def test_backbone_loads_a_local_state_dict_and_gives_512d_features(tmp_path):
    import torchvision
    torch.manual_seed(1)
    src = torchvision.models.video.r3d_18(weights=None, num_classes=400)
    wpath = tmp_path / "r3d_18.pth"
    torch.save(src.state_dict(), wpath)
    model = cnn3d.build("r3d_18", str(wpath))
    assert torch.equal(model.state_dict()["layer1.0.conv1.0.weight"], src.state_dict()["layer1.0.conv1.0.weight"])
    clip = np.random.default_rng(0).integers(0, 255, (8, 128, 171, 3), dtype=np.uint8)
    Y = cnn3d.features(model, [clip, clip[::-1].copy()], "cpu", batch=2)
    assert Y.shape == (2, 512) and np.isfinite(Y).all()
    src.fc = torch.nn.Identity()
    with torch.no_grad():
        ref = src.eval()(cnn3d.clip_tensor(clip)[None]).numpy()
    np.testing.assert_allclose(Y[:1], ref, rtol=1e-4, atol=1e-5)


def test_backbone_weights_errors(tmp_path):
    with pytest.raises(DataError, match=r"not found \(luigi.cfg \[ExtractVideoFeatures\] weights\)"):
        cnn3d.build("r3d_18", str(tmp_path / "missing.pth"))
    with pytest.raises(DataError, match="needs pretrained weights"):
        cnn3d.build("mc3_18", "")
    assert cnn3d.build("mc3_18", "", allow_random=True) is not None
    import torchvision
    wrong = tmp_path / "r2plus1d.pth"
    torch.save(torchvision.models.video.r2plus1d_18(weights=None).state_dict(), wrong)
    with pytest.raises(DataError, match="does not fit"):
        cnn3d.build("r3d_18", str(wrong))
    junk = tmp_path / "junk.pth"
    junk.write_text("nope")
    with pytest.raises(DataError, match="not a torch state dict"):
        cnn3d.build("r3d_18", str(junk))
