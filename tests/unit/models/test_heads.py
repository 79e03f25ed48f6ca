"""The heads of the baselines (models/heads.py): DANN's gradient-reversal layer and domain classifier."""
import torch

from models import DomainClassifier, GradientReversal


def test_gradient_reversal_is_the_identity_forward_and_reverses_and_scales_the_gradient():
    x = torch.tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    layer = GradientReversal(weight=0.25)
    out = layer(x)
    assert torch.equal(out, x.detach())
    upstream = torch.tensor([[2.0, 4.0, -8.0]])
    out.backward(upstream)
    assert torch.equal(x.grad, torch.tensor([[-0.5, -1.0, 2.0]]))     # −0.25 × upstream


def test_domain_classifier_reverses_the_gradient_reaching_its_input():
    """One logit per row; its input's gradient is −weight times the plain network's."""
    torch.manual_seed(0)
    head = DomainClassifier(4, hidden=8)
    z = torch.randn(5, 4, requires_grad=True)
    assert head(z).shape == (5,)
    head.reverse.weight = 0.5
    head(z).sum().backward()
    reversed_grad = z.grad.clone()
    z.grad = None
    head.net(z).squeeze(1).sum().backward()
    torch.testing.assert_close(reversed_grad, -0.5 * z.grad)
