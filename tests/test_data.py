"The synthetic world written by `fieldsnb synth` reads back through the exported dataset readers."
import subprocess

import numpy as np
import torch

from fieldsnb.data import AffectNet, FLAMETargets, make_loader


def test_synth_world_reads_back(tmp_path):
    r = subprocess.run(['fieldsnb', 'synth', str(tmp_path / 'w'), '--n', '40', '--size', '96', '--seed', '3'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wild = AffectNet(tmp_path / 'w' / 'wild', size=96)
    test = AffectNet(tmp_path / 'w' / 'test', split='validation', size=96, targets=tmp_path / 'w' / 'test' / 'flame_targets')
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
