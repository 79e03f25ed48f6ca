"""The default backbone f (models/efficientnet.py): its installed ImageNet weights, through the project's own module
and preprocessing, recognise real photographs (scikit-image's cat and coffee cup), and its fine-tuning recipe."""
import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image
from torch import nn

from models import build_backbone
from models.efficientnet import weights_path
from pipeline.method.pretrained import load_pretrained

# ImageNet-1k class indices
TABBY, TIGER_CAT, EGYPTIAN_CAT, COFFEE_MUG, ESPRESSO, CUP = 281, 282, 285, 504, 967, 968


@pytest.fixture(scope="module")
def f_and_fc():
    f = build_backbone("efficientnet_lite0", c=16, fc_dim=32, image_size=224)
    loaded = load_pretrained(f, weights_path(), "efficientnet_lite0")      # as TrainDIVAFN loads it
    assert loaded["skipped"] == ["_fc.bias", "_fc.weight"]
    sd = torch.load(weights_path(), weights_only=True)
    fc = nn.Linear(1280, 1000)
    fc.load_state_dict({"weight": sd["_fc.weight"], "bias": sd["_fc.bias"]})
    return f.eval(), fc


@pytest.mark.parametrize("photo, want", [("chelsea", {TABBY, TIGER_CAT, EGYPTIAN_CAT}),
                                         ("coffee", {COFFEE_MUG, ESPRESSO, CUP})])
def test_imagenet_weights_recognise_real_photographs(f_and_fc, photo, want):
    f, fc = f_and_fc
    rgb = np.asarray(Image.fromarray(getattr(skimage.data, photo)()).convert("RGB").resize((224, 224)))
    with torch.no_grad():
        p = fc(f.trunk_features(torch.from_numpy(rgb[None].copy()))).softmax(1)[0]   # uint8 in, as f takes it
    top = int(p.argmax())
    assert top in want and p[top] > 0.5, (photo, top, float(p[top]))


def test_batchnorm_keeps_imagenet_statistics_and_training_mode_is_deterministic(f_and_fc):
    f, _ = f_and_fc
    f.train()
    stats = [m.running_mean.clone() for m in f.net.modules() if isinstance(m, nn.BatchNorm2d)]
    x = torch.randint(0, 256, (4, 224, 224, 3), dtype=torch.uint8)
    with torch.no_grad():
        a = f(x)
        b = f.eval()(x)
    assert torch.equal(a, b)
    assert all(torch.equal(s, m.running_mean) for s, m in zip(stats, (m for m in f.net.modules() if isinstance(m, nn.BatchNorm2d))))
