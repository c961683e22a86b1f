"DistributedDataParallel: 2 CPU processes (gloo, torchrun) take the same steps as 1 process with the same global batch."
import contextlib, io, os, subprocess, sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from fieldsnb.synthetic import make_world
from fieldsnb.train import TINY

ENTRY = 'import sys\nfrom fieldsnb.cli import main\nsys.exit(main(sys.argv[1:]))\n'


def sets(world):
    # per-sample losses on rows that all carry them (a batch statistic such as CCC, batch norm in training mode, or a
    # mean over the rows that have a label, differs by design between one batch of 4 and two of 2): classes, VA,
    # landmarks, regularisation, on the wild split alone (the registered mix adds spontaneous rows without labels)
    return TINY + [f'data_root={world}', 'size=32', 'batch_size=4', 'stages.*.steps=3', 'threads=1', 'augment=False',
                   'stages.pretrain.train=["expression", "emotion_head"]', 'stages.pretrain.frozen_bn=True',
                   'stages.pretrain.weights={"emo_class": 1.0, "emo_va": 1.0, "landmarks": 10.0, "reg_expression": 0.01}',
                   'stages.pretrain.lr.default=1e-3', 'stages.pretrain.data={"wild": 1.0}']


def test_two_processes_match_one(tmp_path):
    world = tmp_path/'world'
    with contextlib.redirect_stderr(io.StringIO()): make_world(world, n=48, size=32, progress=False)
    entry = tmp_path/'entry.py'
    entry.write_text(ENTRY)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]), OMP_NUM_THREADS='1')
    args = ['train', 'smirk_pretrain', '--set', *sets(world)]
    subprocess.run([sys.executable, str(entry), *args, '--out', str(tmp_path/'one')], check=True, env=env,
                   capture_output=True, timeout=600)
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', str(entry),
                        *args, '--out', str(tmp_path/'two')], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    for net in ('encoder', 'emotion_head'):
        a = load_file(tmp_path/'one'/'networks'/'pretrain'/f'{net}.safetensors')
        b = load_file(tmp_path/'two'/'networks'/'pretrain'/f'{net}.safetensors')
        moved = max((a[k] - b[k]).abs().max().item() for k in a)
        assert moved < 1e-5, f'{net}: the 2-process run differs from the 1-process run by {moved}'
    rows_one = (tmp_path/'one'/'metrics.csv').read_text().splitlines()
    rows_two = (tmp_path/'two'/'metrics.csv').read_text().splitlines()
    loss = lambda rows: [float(r.split(',')[5]) for r in rows[1:]]
    assert len(loss(rows_one)) == len(loss(rows_two)) == 3 and min(loss(rows_one)) > 0
    assert all(abs(x - y) < 1e-4 * max(1, abs(x)) for x, y in zip(loss(rows_one), loss(rows_two))), (rows_one, rows_two)
    assert loss(rows_one)[0] != loss(rows_one)[-1]       # the steps changed the networks
