"""Rendering and photo speed: both rasterizer backends on the FLAME-sized stand-in, and one photo's detect + crop.

Prints `name: value` lines: images per second at 224 x 224 for batch 1 and 16 with each backend
(rasterization plus the geometry maps), `render_backend_agreement` (fraction of covered pixels
whose visible triangle is the same in both), their speed ratio, and the time to detect and crop
the astronaut photo. Run: `python bench/render.py [--device cuda]`.
"""
import argparse

import torch

from fieldsnb.flame import FLAME
from fieldsnb.render import backend_agreement, ortho_project, render_geometry
from fieldsnb.standin import standin_path
from timing import median_seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--size', type=int, default=224)
    args = ap.parse_args()
    dev, size = args.device, args.size
    flame = FLAME.from_file(standin_path(flame_sized=True), n_shape=100, n_expr=50).to(dev)
    faces = flame.faces
    g = torch.Generator().manual_seed(0)
    print(f"device: {dev if dev == 'cpu' else torch.cuda.get_device_name()}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"vertices: {flame.n_vertices}")
    print(f"faces: {len(faces)}")
    rates = {}
    for B in (1, 16):
        out = flame(shape=torch.randn(B, 100, generator=g).to(dev), expression=torch.randn(B, 50, generator=g).to(dev),
                    global_pose=(torch.randn(B, 3, generator=g) * .3).to(dev), jaw_pose=(torch.rand(B, 3, generator=g) * torch.tensor([.3, 0, 0])).to(dev))
        verts = out.vertices.detach()
        cam = torch.tensor([[4.5, 0, .01]], device=dev).repeat(B, 1)
        for backend in ('pytorch3d', 'torch'):
            with torch.inference_mode():
                r = B / median_seconds(lambda: render_geometry(verts, faces, cam, size, backend=backend), dev, min_time=1.5, min_calls=3)
            rates[backend, B] = r
            print(f"render_{backend}_images_per_s_b{B}: {r:.1f}")
        print(f"render_speed_ratio_pytorch3d_vs_torch_b{B}: {rates['pytorch3d', B] / rates['torch', B]:.2f}")
        if B == 16:
            agree = backend_agreement(ortho_project(verts, cam), faces, size)
            print(f"render_backend_agreement: {agree['covered_pixels']:.4f}")
            print(f"render_backend_agreement_all_pixels: {agree['all_pixels']:.4f}")
            print(f"render_backend_bary_max_diff: {agree['bary_max_diff']:.2e}")
    from skimage import data
    from fieldsnb.faces import FaceLandmarker, crop_face
    photo = data.astronaut()
    with FaceLandmarker() as lm:
        detect_and_crop = median_seconds(lambda: crop_face(photo, lm.detect(photo)[0].landmarks), min_time=0., min_calls=20)
    print(f"detect_and_crop_ms_512px: {1000 * detect_and_crop:.1f}")


if __name__ == '__main__':
    main()
