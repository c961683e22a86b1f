"FLAME files written by someone else pose like the standard formulation (the exported package, no notebooks)."
from pathlib import Path

import numpy as np
import pytest
import torch

from fieldsnb.flame import FLAME, read_flame_model

FIXTURES = Path(__file__).parent / 'fixtures'


def test_chumpy_pickle_poses_within_2e5():
    "A model pickled with real chumpy objects (see fixtures/make_chumpy_fixture.py) loads without chumpy."
    exp = np.load(FIXTURES / 'chumpy_expected.npz')
    flame = FLAME.from_file(FIXTURES / 'chumpy_generic_model.pkl', n_shape=100, n_expr=50)
    p = torch.tensor(exp['pose'], dtype=torch.float32)
    out = flame(shape=torch.tensor(exp['shape'], dtype=torch.float32), expression=torch.tensor(exp['expression'], dtype=torch.float32),
                global_pose=p[:, :3], neck_pose=p[:, 3:6], jaw_pose=p[:, 6:9], eye_pose=p[:, 9:])
    err = np.abs(out.vertices.detach().numpy() - exp['vertices']).max()
    assert err < 2e-5, err


def test_plain_numpy_pickle_matches_chumpy_one(tmp_path):
    "The same arrays saved as a plain numpy pickle give the same vertices."
    import pickle
    m = read_flame_model(FIXTURES / 'chumpy_generic_model.pkl')
    plain = dict(f=m['faces'], v_template=m['v_template'], shapedirs=m['shapedirs'], posedirs=m['posedirs'],
                 J_regressor=m['J_regressor'], weights=m['weights'], kintree_table=np.array([[-1, 0, 1, 1, 1], [0, 1, 2, 3, 4]]))
    with open(tmp_path / 'generic_model.pkl', 'wb') as fh: pickle.dump(plain, fh)
    a = FLAME.from_file(FIXTURES / 'chumpy_generic_model.pkl', n_shape=10, n_expr=10)
    b = FLAME.from_file(tmp_path, n_shape=10, n_expr=10)
    x = torch.randn(3, 10)
    assert torch.allclose(a(shape=x, expression=x, jaw_pose=x[:, :3] * .2).vertices, b(shape=x, expression=x, jaw_pose=x[:, :3] * .2).vertices)


def test_wrong_file_names_what_is_missing(tmp_path):
    import pickle
    with open(tmp_path / 'generic_model.pkl', 'wb') as fh: pickle.dump({'v_template': np.zeros((3, 3))}, fh)
    with pytest.raises(ValueError, match='missing'):
        FLAME.from_file(tmp_path / 'generic_model.pkl')
    (tmp_path / 'broken.pkl').write_bytes(b'\x80\x02}q\x00(X')
    with pytest.raises(ValueError, match='not a readable pickle'):
        FLAME.from_file(tmp_path / 'broken.pkl')
