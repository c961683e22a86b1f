"The exported renderer: both backends agree on a posed stand-in, and gradients reach the vertices."
import torch

from fieldsnb.flame import FLAME
from fieldsnb.render import backend_agreement, ortho_project, render_colour, SH_FRONT
from fieldsnb.standin import standin_path


def test_backends_agree_and_gradients_flow():
    flame = FLAME.from_file(standin_path(), n_shape=20, n_expr=20)
    g = torch.Generator().manual_seed(3)
    out = flame(expression=torch.randn(2, 20, generator=g), global_pose=torch.randn(2, 3, generator=g) * .3)
    cam = torch.tensor([[4., 0, 0], [5., .01, -.01]])
    assert backend_agreement(ortho_project(out.vertices, cam), flame.faces, 128)['covered_pixels'] > .995
    v = out.vertices.detach().requires_grad_(True)
    for backend in ('torch', 'pytorch3d'):
        img, _ = render_colour(v, flame.faces, (v.detach() * 3 + .5).clamp(0, 1), SH_FRONT[None].repeat(2, 1, 1), cam, 96, backend=backend)
        grad, = torch.autograd.grad(img.mean(), v)
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0
