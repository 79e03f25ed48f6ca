"""g's input statistics: centred per dimension, then scaled per dimension or by one scale for all."""
import pytest
import torch

from models.video_net import VideoNet
from pipeline.method.train import TrainConfig


def test_standardise_gives_every_dimension_unit_std_and_uniform_keeps_their_ratios():
    torch.manual_seed(0)
    Y = torch.randn(40, 6) * torch.tensor([1e-4, 0.01, 0.1, 1.0, 3.0, 10.0]) + torch.linspace(0, 1e-3, 6)
    for per_dimension in (True, False):
        g = VideoNet(6, 4, hidden=8)
        g.set_input_stats(Y, per_dimension)
        Z = (Y - g.y_mean) / g.y_scale
        assert torch.allclose(Z.mean(0), torch.zeros(6), atol=1e-4)
        if per_dimension:                  # a dimension that barely varies is blown up to the others' size
            assert torch.allclose(Z.std(0), torch.ones(6), atol=1e-4)
        else:                              # one scale: the dimensions keep their relative sizes, mean variance 1
            assert torch.allclose(Z.std(0) / Z.std(0)[-1], Y.std(0) / Y.std(0)[-1], rtol=1e-4)
            assert torch.isclose(Z.var(0).mean(), torch.tensor(1.0), atol=1e-4)


def test_an_unknown_video_input_is_refused():
    with pytest.raises(ValueError, match="want standardise or uniform"):
        TrainConfig(video_input="none")
