"The synthetic world written by `fieldsnb synth` reads back through the exported dataset readers; bad input is refused."
import subprocess

import numpy as np
import pytest
import torch

from fieldsnb.data import AffectNet, FLAMETargets, make_loader


def synth(*args):
    return subprocess.run(['fieldsnb', 'synth', *map(str, args)], capture_output=True, text=True)


def test_synth_world_reads_back(tmp_path):
    r = synth(tmp_path / 'w', '--n', 40, '--size', 96, '--seed', 3)
    assert r.returncode == 0, r.stderr
    wild = AffectNet(tmp_path / 'w' / 'wild', size=96)
    test = AffectNet(tmp_path / 'w' / 'test', split='validation', size=96,
                     targets=tmp_path / 'w' / 'test' / 'flame_targets')
    spont = FLAMETargets(tmp_path / 'w' / 'spontaneous', size=96)
    assert (len(wild), len(test), len(spont)) == (24, 6, 10)
    truth = np.load(tmp_path / 'w' / 'wild' / 'truth.npz')
    assert (wild.items.emotion.to_numpy() == truth['emotion']).all()
    assert np.allclose(wild.items.valence.to_numpy(), truth['valence'], atol=1e-4)
    batch = next(iter(make_loader(dict(wild=wild, test=test, bp4d=spont), batch_size=16, length=16, seed=0)))
    assert batch['image'].shape == (16, 3, 96, 96)
    assert (batch['emotion_mask'] == torch.tensor([s != 'bp4d' for s in batch['source']])).all()
    assert (batch['has_targets'] == torch.tensor([s != 'wild' for s in batch['source']])).all()
    assert set(batch['source']) <= {'wild', 'test', 'bp4d'}
    assert batch['landmarks_mediapipe_mask'].all() and batch['intensity_mask'].any()


@pytest.mark.parametrize('args, message', [
    (['--n', '0'], 'must be at least 1'),
    (['--n', '-3'], 'must be at least 1'),
    (['--size', '4'], 'at least 16'),
    (['--split', 'studio=1'], 'unknown splits'),
    (['--split', 'wild=-1'], '0 or more'),
    (['--n', '1', '--split', 'wild=0.1,test=0.1'], 'no image in any split'),
])
def test_synth_bad_values(tmp_path, args, message):
    r = synth(tmp_path / 'w', *args)
    assert r.returncode == 2 and message in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'w').exists() and not list(tmp_path.iterdir())


def test_synth_folders(tmp_path):
    (tmp_path / 'photos').mkdir()
    (tmp_path / 'photos' / 'me.jpg').write_bytes(b'mine')
    r = synth(tmp_path / 'photos', '--n', 4, '--size', 32, '--overwrite')
    assert r.returncode == 2 and 'holds no synthetic world' in r.stderr, r.stderr
    assert [p.name for p in (tmp_path / 'photos').iterdir()] == ['me.jpg']
    assert synth(tmp_path / 'w', '--n', 12, '--size', 32).returncode == 0
    r = synth(tmp_path / 'w', '--n', 4, '--size', 32)
    assert r.returncode == 2 and '--overwrite' in r.stderr, r.stderr
    r = synth(tmp_path / 'w', '--n', 4, '--size', 32, '--split', 'wild=1', '--overwrite')
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / 'w').iterdir()) == ['synthetic.json', 'wild']
    assert len(list((tmp_path / 'w').rglob('*.jpg'))) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ['photos', 'w']         # no temporary folder left
