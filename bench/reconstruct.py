"""End-to-end `fieldsnb reconstruct` speed on CPU, and landmark error on real photos.

Prints `name: value` lines:
- `photos_per_s_<way>`: whole photos per second (detect with tiles, crop, reconstruct, FLAME, emotion of both
  branches, write meshes/JSON/npz/overlay) on real photos (scikit-image's astronaut, mirrored and scaled), for the
  encoders with MobileNetV2 and ResNet50 backbones (SMIRK's three encoders; their weights do not change the speed),
  MobileNetV2 with one shared backbone and three heads, and `--fit`;
- `video_frames_per_s_<way>`: frames per second of a short video of the astronaut drifting across the frame;
- `fit_landmark_error_px`: mean distance in photo pixels between the fitted mesh's MediaPipe landmarks and
  MediaPipe's own, over the faces of those photos and of a composed group photo;
- `checkpoint_landmark_error_px`: the same for `--checkpoint CKPT` (e.g. an encoder trained only on the synthetic
  world: this measures the gap from synthetic to real); absent without one.
Run: `python bench/reconstruct.py [--checkpoint CKPT] [--photos 4]`.
"""
import argparse, contextlib, io, tempfile, time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from skimage import data

from fieldsnb.encoders import FLAMEEncoder
from fieldsnb.networks import save_network
from fieldsnb.reconstruct import compose_group, reconstruct


def photos(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    astro = data.astronaut()
    for k in range(n):
        img = astro[:, ::-1] if k % 2 else astro
        side = 512 + 128 * k
        Image.fromarray(cv2.resize(np.ascontiguousarray(img), (side, side))).save(folder/f'photo{k}.jpg', quality=92)
    return folder


def video(path: Path, n: int = 12) -> Path:
    astro = data.astronaut()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 12, (400, 320))
    for i in range(n): writer.write(np.ascontiguousarray(astro[40:360, 20 + 8 * i:420 + 8 * i, ::-1]))
    writer.release()
    return path


def run(paths, out, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        summary = reconstruct(paths, out, progress=False, **kw)
    return time.perf_counter() - start, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--checkpoint', default=None, help='an encoder checkpoint whose landmark error to measure')
    ap.add_argument('--photos', type=int, default=4)
    ap.add_argument('--steps', type=int, default=200, help='fitting steps')
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    folder, clip = photos(tmp/'photos', args.photos), video(tmp/'clip.mp4')
    print(f"threads: {torch.get_num_threads()}")
    encoders = dict(mobilenetv2=FLAMEEncoder('mobilenetv2', n_shape=100, n_expr=50),
                    resnet50=FLAMEEncoder('resnet50', n_shape=100, n_expr=50))
    try:
        from fieldsnb.encoders import SharedFLAMEEncoder
        encoders['mobilenetv2_shared'] = SharedFLAMEEncoder('mobilenetv2', n_shape=100, n_expr=50)
    except ImportError: pass
    ways = {name: dict(checkpoint=save_network(net, tmp/name)) for name, net in encoders.items()}
    ways['fit'] = dict(fit=True, steps=args.steps)
    run([folder/'photo0.jpg'], tmp/'warm', **ways['fit'])              # stand-in, default emotion head: once
    for name, kw in ways.items():
        seconds, _ = run([folder], tmp/f'out-{name}', **kw)
        print(f"photos_per_s_{name}: {args.photos / seconds:.3f}")
        seconds, summary = run([clip], tmp/f'video-{name}', **kw)
        print(f"video_frames_per_s_{name}: {int(summary.faces.sum()) / seconds:.3f}")
    group, _ = compose_group([data.astronaut()[20:260, 120:340]] * 3, [120, 160, 220])
    Image.fromarray(group).save(tmp/'group.png')
    measured = dict(fit=dict(fit=True, steps=args.steps))
    if args.checkpoint: measured['checkpoint'] = dict(checkpoint=args.checkpoint)
    for name, kw in measured.items():
        run([folder, tmp/'group.png'], tmp/f'error-{name}', **kw)
        import pandas as pd
        faces = pd.read_csv(tmp/f'error-{name}'/'faces.csv')
        print(f"{name}_landmark_error_px: {faces.landmark_error_px.mean():.2f}")
        print(f"{name}_landmark_error_faces: {len(faces)}")


if __name__ == '__main__':
    main()
