"""Data speed on CPU: synthetic images generated per second, and training samples read per second.

Prints `name: value` lines. Generation covers drawing, rendering (pure-PyTorch rasterizer on CPU)
and writing JPEGs at 224 x 224 with the stand-in; reading covers the AffectNet reader on the
written wild split (load, landmark crop, augmentation, collation) with 0 and 2 workers, over
whole epochs for at least 4 seconds.
Run: `python bench/data.py [--n 256]`.
"""
import argparse, shutil, tempfile, time
from pathlib import Path

import torch

from fieldsnb.data import AffectNet, Augment, make_loader
from fieldsnb.synthetic import make_world


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=256, help='images to generate')
    ap.add_argument('--size', type=int, default=224)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        make_world(tmp / 'warm', n=8, size=args.size, proportions=dict(wild=1.), progress=False)   # stand-in cached, imports warm
        t = time.perf_counter()
        make_world(tmp / 'world', n=args.n, size=args.size, proportions=dict(wild=1.), progress=False)
        gen = args.n / (time.perf_counter() - t)
        print(f"threads: {torch.get_num_threads()}")
        print(f"synthetic_images_per_s: {gen:.1f}")
        ds = AffectNet(tmp / 'world' / 'wild', size=args.size, augment=Augment())
        for workers in (0, 2):
            loader = make_loader(dict(wild=ds), batch_size=32, length=len(ds), num_workers=workers)
            next(iter(loader))
            t = time.perf_counter(); n = epoch = 0
            while time.perf_counter() - t < 4:              # whole epochs, at least 4 seconds
                loader.sampler.set_epoch(epoch); epoch += 1
                for b in loader: n += len(b['image'])
            print(f"samples_read_per_s_workers{workers}: {n / (time.perf_counter() - t):.1f}")
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
