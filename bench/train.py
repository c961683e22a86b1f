"""Training speed: images per second of each stage, where a step's time goes, and peak memory.

Prints `name: value` lines for four stages (SMIRK pretraining, SMIRK training with the cycle, FIELDS
step 1, FIELDS step 2) at 224 x 224 and at a small size (the quickstart's 64 by default):
`images_per_s_<stage>_<size>`; the share of a step spent in the forward passes of the encoders,
FLAME, rendering, the synthesizer and the losses (perceptual and emotion networks, loss arithmetic),
and in backward + optimiser (`share_<part>_<stage>_<size>`); the process's peak resident memory
after each stage (`peak_rss_mb_...`; on CUDA `peak_cuda_mb_...`). Networks are the configurations'
own sizes (SMIRK's MobileNetV3 encoders, a 32-channel synthesizer, EMOCA's 2048 x 4 emotion head).
`--all-encoder-parts` runs every encoder of the FLAMEEncoder on every call (the code before
`fieldsnb.losses.encode`), to measure what running only the needed ones saves.
Run: `python bench/train.py [--sizes 224 64] [--batch 8] [--steps 3] [--device cuda] [--all-encoder-parts]`.
"""
import argparse, contextlib, io, resource, sys, tempfile, time
from pathlib import Path

import torch

import fieldsnb.losses as losses
from fieldsnb.synthetic import make_world
from fieldsnb.train import Trainer, apply_overrides, get_config, stage_batch

STAGES = dict(pretrain=('smirk_pretrain', 0), smirk=('smirk', 0), fields_step1=('fields', 0), fields_step2=('fields', 1))


class Clock:
    "Forward time of modules and functions, by part."
    def __init__(self, sync): self.sync, self.total, self.start = sync, {}, {}
    def module(self, mod, part):
        if mod is None: return
        def pre(m, a, kw=None):
            self.sync()
            self.start[id(m)] = time.perf_counter()
        def post(m, a, o, kw=None):
            self.sync()
            self.total[part] = self.total.get(part, 0.) + time.perf_counter() - self.start.pop(id(m))
        mod.register_forward_pre_hook(pre)
        mod.register_forward_hook(post)
    def function(self, owner, name, part):
        fn = getattr(owner, name)
        def timed(*a, **kw):
            self.sync()
            t = time.perf_counter()
            out = fn(*a, **kw)
            self.sync()
            self.total[part] = self.total.get(part, 0.) + time.perf_counter() - t
            return out
        setattr(owner, name, timed)


def measure(tr, stage, steps, sync, rendering):
    tr.begin_stage(stage)
    m = tr.model
    clock = Clock(sync)
    for enc in (m.encoder, m.base_encoder):
        for p in ('pose', 'shape', 'expression', 'tokens'): clock.module(getattr(enc, p, None) if enc is not None else None, 'encoders')
    clock.module(m.flame, 'flame')
    clock.module(m.synthesizer, 'synthesizer')
    clock.module(m, 'forward')
    batches = [b for _, b in tr.batches(0, steps + 1)]
    tr.train_step(batches[0], 0)                      # warm-up
    clock.total.clear()
    rendering.total.clear()
    sync()
    t = time.perf_counter()
    for k, b in enumerate(batches[1:], 1): tr.train_step(b, k)
    sync()
    return time.perf_counter() - t, clock.total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[224, 64])
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--stages', nargs='+', default=list(STAGES))
    ap.add_argument('--all-encoder-parts', action='store_true')
    args = ap.parse_args()
    dev = args.device
    sync = torch.cuda.synchronize if dev.startswith('cuda') else (lambda: None)
    if args.all_encoder_parts: losses.encode = lambda encoder, image, parts=None: encoder(image)
    print(f"device: {dev if dev == 'cpu' else torch.cuda.get_device_name()}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"batch: {args.batch}")
    print(f"encoder_parts: {'all' if args.all_encoder_parts else 'needed'}")
    rendering = Clock(sync)
    rendering.function(losses, 'render_geometry', 'rendering')
    tmp = Path(tempfile.mkdtemp())
    for size in args.sizes:
        with contextlib.redirect_stderr(io.StringIO()): make_world(tmp/f'w{size}', n=24, size=size, progress=False)
        for label in args.stages:
            name, stage = STAGES[label]
            cfg = apply_overrides(get_config(name), [f'data_root={tmp/f"w{size}"}', f'size={size}', f'batch_size={args.batch}',
                                                     'stages.*.steps=1000', f'device={dev}', 'augment=False'])
            with contextlib.redirect_stderr(io.StringIO()): tr = Trainer(cfg, tmp/f'run_{label}_{size}', progress=False)
            if dev.startswith('cuda'): torch.cuda.reset_peak_memory_stats()
            seconds, parts = measure(tr, stage, args.steps, sync, rendering)
            parts['rendering'] = rendering.total.get('rendering', 0.)
            step = seconds / args.steps
            fwd = parts.pop('forward') / args.steps
            shares = {k: parts.get(k, 0.) / args.steps / step for k in ('encoders', 'flame', 'rendering', 'synthesizer')}
            shares['losses'] = fwd / step - sum(shares.values())
            shares['backward_optimizer'] = 1 - fwd / step
            print(f"images_per_s_{label}_{size}: {stage_batch(cfg, cfg.stages[stage]) / step:.2f}")   # FIELDS' step 1: 4 batches
            for k, v in shares.items(): print(f"share_{k}_{label}_{size}: {v:.3f}")
            if dev.startswith('cuda'): print(f"peak_cuda_mb_{label}_{size}: {torch.cuda.max_memory_allocated() / 2**20:.0f}")
            print(f"peak_rss_mb_after_{label}_{size}: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
            sys.stdout.flush()
            del tr


if __name__ == '__main__':
    main()
