"""Which backbone reads expressions at the quickstart's size: ImageNet's EfficientNet-Lite0 or FER2013's mini-Xception.

On a synthetic affect world (64 x 64 by default) each backbone, with a fresh linear head, is fine-tuned
for the same steps on three tasks and measured on the world's test faces:
`emotion_accuracy_<backbone>` and `valence_ccc_<backbone>` (8 classes + valence/arousal, trained on the
wild split), `unit_corr_<backbone>` (the 17 named action units' activations, trained on the wild
split's truth; mean Pearson r over units) and `unit_corr_from_spontaneous_<backbone>` (the same, trained
on the near-frontal, lab-lit spontaneous split: does what a 4D-scan-like split teaches carry to wild
faces?). `<metric>_gain_fer_vs_imagenet` is the difference of the two in the same run. The numbers in
`nbs/04b_expression2d.ipynb` and `nbs/11a_study.ipynb` come from
`python bench/backbones.py` (its defaults: the quickstart's world, 160 steps of 32, one CPU thread).
"""
import argparse, contextlib, io, re, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from fieldsnb.data import AffectNet, FLAMETargets
from fieldsnb.metrics import ccc
from fieldsnb.networks import Normalize, create_backbone
from fieldsnb.synthetic import make_world

BACKBONES = dict(imagenet=('efficientnet_lite0', 'imagenet'), fer=('mini_xception', 'fer2013'),
                 fer_random=('mini_xception', None))


def split_arrays(world:Path, split:str, size:int):
    "Images (N,3,S,S) of a split and its truth rows (class, VA, unit activations) in the same order."
    ds = FLAMETargets(world/split, size=size) if split == 'spontaneous' else \
        AffectNet(world/split, 'training' if split == 'wild' else 'validation', size=size)
    truth = np.load(world/split/'truth.npz')
    rows = [int(re.search(r'(\d+)\.jpg$', str(p)).group(1)) for p in ds.items.path]
    images = torch.stack([ds[i]['image'] for i in range(len(ds))])
    return images, {k: truth[k][rows] for k in ('emotion', 'valence', 'arousal', 'au')}


def fine_tune(backbone:str, weights, task:str, x, t, steps:int, batch:int, seed:int=0):
    "A backbone with a linear head trained on one task; returns a predictor."
    torch.manual_seed(seed)
    body, ch = create_backbone(backbone, weights)
    norm = Normalize(backbone)
    head = torch.nn.Linear(ch[-1], 10 if task == 'emotion' else t['au'].shape[1])
    net = torch.nn.ModuleList([body, head])
    fwd = lambda img: head(F.adaptive_avg_pool2d(body(norm(img))[-1], 1).flatten(1))
    opt = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-4)
    y, va = torch.as_tensor(t['emotion']).long(), torch.as_tensor(np.c_[t['valence'], t['arousal']]).float()
    au = torch.as_tensor(t['au']).float()
    g = torch.Generator().manual_seed(seed)
    net.train()
    for _ in range(steps):
        i = torch.randint(len(x), (batch,), generator=g)
        o = fwd(x[i])
        loss = (F.cross_entropy(o[:, :8], y[i]) + F.mse_loss(torch.tanh(o[:, 8:]), va[i]) if task == 'emotion'
                else F.mse_loss(o, au[i]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    def predict(img):
        with torch.no_grad(): return torch.cat([fwd(img[k:k + 64]) for k in range(0, len(img), 64)]).numpy()
    return predict


def unit_corr(pred:np.ndarray, true:np.ndarray) -> float:
    return float(np.mean([np.corrcoef(pred[:, k], true[:, k])[0, 1] for k in range(true.shape[1]) if true[:, k].std() > 0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=4000, help='training images in the world (wild 70 %%, spontaneous 30 %%), '
                                                        'as in the quickstart; 300 test faces besides')
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--steps', type=int, default=160)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--world', default=None, help='an existing world made with these settings (default: a new one)')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    world = Path(args.world) if args.world else Path(tempfile.mkdtemp())/'world'
    if not args.world:
        total = args.n + 300
        shares = dict(wild=.7 * args.n / total, spontaneous=.3 * args.n / total, test=300 / total)
        with contextlib.redirect_stderr(io.StringIO()):
            make_world(world, n=total, size=args.size, proportions=shares, progress=False)
    data = {s: split_arrays(world, s, args.size) for s in ('wild', 'spontaneous', 'test')}
    xt, tt = data['test']
    print(f"world: {world} ({len(data['wild'][0])} wild, {len(data['spontaneous'][0])} spontaneous, {len(xt)} test)")
    print(f"steps: {args.steps}\nbatch: {args.batch}")
    out = {}
    for name, (backbone, weights) in BACKBONES.items():
        t0 = time.time()
        emo = fine_tune(backbone, weights, 'emotion', *data['wild'], args.steps, args.batch)(xt)
        out[f'emotion_accuracy_{name}'] = float((emo[:, :8].argmax(1) == tt['emotion']).mean())
        out[f'valence_ccc_{name}'] = ccc(np.tanh(emo[:, 8]), tt['valence'])
        out[f'unit_corr_{name}'] = unit_corr(fine_tune(backbone, weights, 'units', *data['wild'], args.steps, args.batch)(xt), tt['au'])
        out[f'unit_corr_from_spontaneous_{name}'] = unit_corr(
            fine_tune(backbone, weights, 'units', *data['spontaneous'], args.steps, args.batch)(xt), tt['au'])
        for k in ('emotion_accuracy', 'valence_ccc', 'unit_corr', 'unit_corr_from_spontaneous'):
            print(f"{k}_{name}: {out[f'{k}_{name}']:.3f}")
        print(f"seconds_{name}: {time.time() - t0:.0f}")
        sys.stdout.flush()
    for k in ('emotion_accuracy', 'valence_ccc', 'unit_corr', 'unit_corr_from_spontaneous'):   # differences: the
        print(f"{k}_gain_fer_vs_imagenet: {out[f'{k}_fer'] - out[f'{k}_imagenet']:+.3f}")       # reference can be ~0


if __name__ == '__main__':
    main()
