"""FLAME posing speed: fieldsnb's layer against a straightforward reference formulation, same run.

Prints `name: value` lines: meshes per second at batch 1, 32 and 256 for both, at FLAME size
(5023 vertices, 300 shape + 100 expression components, fp32), their largest disagreement, and
`flame_speedup_vs_reference_b256`. Run: `python bench/flame.py [--device cuda] [--threads N]`.

The reference is `fieldsnb.flame.lbs`, the formulation most FLAME/SMPL code carries (as in smplx's
lbs.py): blendshape einsums for identity and expression and for the pose correctives, joints
regressed from the full shaped mesh, and a 4x4 homogeneous transform per vertex.
"""
import argparse

import numpy as np
import torch

from fieldsnb.flame import FLAME, lbs, read_flame_model
from fieldsnb.standin import standin_path
from timing import median_seconds


class ReferenceFLAME(torch.nn.Module):
    "FLAME by `fieldsnb.flame.lbs`, the plain smplx-style steps, with the model file's arrays as buffers."
    def __init__(self, m, n_shape=300, n_expr=100):
        super().__init__()
        f = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32)
        sd = m['shapedirs']
        self.register_buffer('v_template', f(m['v_template']))
        self.register_buffer('shapedirs', f(np.concatenate([sd[:, :, :n_shape], sd[:, :, 300:300 + n_expr]], 2)))
        self.register_buffer('posedirs', f(m['posedirs']))
        self.register_buffer('J_regressor', f(m['J_regressor']))
        self.register_buffer('weights', f(m['weights']))
        self.register_buffer('parents', torch.as_tensor(m['parents']))

    def forward(self, shape, expression, pose):
        return lbs(torch.cat([shape, expression], 1), pose, self.v_template, self.shapedirs, self.posedirs,
                   self.J_regressor, self.parents, self.weights)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch decides)')
    ap.add_argument('--batches', default='1,32,256')
    ap.add_argument('--flame', default=None, help='FLAME model file or folder (default: the FLAME-sized stand-in)')
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    path = args.flame or standin_path(flame_sized=True)
    m = read_flame_model(path)
    dev = args.device
    ours = FLAME(m, n_shape=300, n_expr=100).to(dev)
    ref = ReferenceFLAME(m).to(dev)
    print(f"device: {dev if dev == 'cpu' else torch.cuda.get_device_name()}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"vertices: {len(m['v_template'])}")
    print(f"faces: {len(m['faces'])}")
    g = torch.Generator().manual_seed(0)
    worst = 0.
    for B in [int(b) for b in args.batches.split(',')]:
        shape = torch.randn(B, 300, generator=g).to(dev)
        expr = torch.randn(B, 100, generator=g).to(dev)
        pose = (torch.randn(B, 15, generator=g) * .2).to(dev)
        kw = dict(shape=shape, expression=expr, global_pose=pose[:, :3], neck_pose=pose[:, 3:6],
                  jaw_pose=pose[:, 6:9], eye_pose=pose[:, 9:])
        with torch.inference_mode():
            worst = max(worst, (ours(**kw).vertices - ref(shape, expr, pose)).abs().max().item())
            r_ours = B / median_seconds(lambda: ours(**kw), dev)
            r_ref = B / median_seconds(lambda: ref(shape, expr, pose), dev)
        print(f"flame_meshes_per_s_b{B}: {r_ours:.1f}")
        print(f"reference_meshes_per_s_b{B}: {r_ref:.1f}")
        print(f"flame_speedup_vs_reference_b{B}: {r_ours / r_ref:.2f}")
    print(f"max_vertex_disagreement_m: {worst:.2e}")


if __name__ == '__main__':
    main()
