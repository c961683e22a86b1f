"A training process killed mid-run resumes from its last checkpoint and ends with the weights of an uninterrupted run."
import contextlib, io, os, signal, subprocess, sys, time
from pathlib import Path

import torch
from safetensors.torch import load_file

from fieldsnb.synthetic import make_world
from fieldsnb.train import TINY

ENTRY = 'import sys; from fieldsnb.cli import main; sys.exit(main(sys.argv[1:]))'
STEPS = 6          # per stage; two stages


def train_cmd(world, out):
    sets = TINY + [f'data_root={world}', 'size=32', 'batch_size=4', f'stages.*.steps={STEPS}', 'checkpoint_every=2',
                   'threads=1', 'epoch_length=16']
    return [sys.executable, '-c', ENTRY, 'train', 'fields', '--out', str(out), '--set', *sets]


def env():
    return dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]), OMP_NUM_THREADS='1')


def last_step(out):
    f = out/'checkpoint.pt'
    if not f.is_file(): return -1
    try: return torch.load(f, weights_only=False)['global_step']
    except Exception: return -1      # cannot happen with atomic writes, but never fail the poll on it


def weights(out):
    return {f'{n}.{k}': v for n in ('encoder', 'synthesizer', 'emotion_head')
            for k, v in load_file(out/'networks'/'step2'/f'{n}.safetensors').items()}


def test_killed_run_resumes_to_the_same_weights(tmp_path):
    world = tmp_path/'world'
    with contextlib.redirect_stderr(io.StringIO()): make_world(world, n=48, size=32, progress=False)
    whole, killed = tmp_path/'whole', tmp_path/'killed'
    subprocess.run(train_cmd(world, whole), check=True, env=env(), capture_output=True, timeout=600)

    proc = subprocess.Popen(train_cmd(world, killed), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while last_step(killed) < STEPS + 2 and proc.poll() is None and time.time() < deadline: time.sleep(.05)
    assert proc.poll() is None, 'the run finished before it could be killed; make it longer'
    proc.send_signal(signal.SIGKILL)          # no chance to clean up: the real thing
    proc.wait()
    at_kill = last_step(killed)
    assert STEPS + 2 <= at_kill < 2 * STEPS, at_kill     # killed inside the second stage
    assert not (killed/'networks'/'step2').exists()

    subprocess.run(train_cmd(world, killed), check=True, env=env(), capture_output=True, timeout=600)
    a, b = weights(whole), weights(killed)
    assert a.keys() == b.keys()
    different = [k for k in a if not torch.equal(a[k], b[k])]
    assert not different, f'{len(different)} tensors differ after resuming, e.g. {different[:3]}'
    rows = (killed/'metrics.csv').read_text().splitlines()[1:]
    assert [int(r.split(',')[0]) for r in rows] == list(range(2 * STEPS))   # every step logged once
