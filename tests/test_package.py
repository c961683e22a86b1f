"The installed package as a user meets it: imports, the console command, the stand-in default."
import csv, importlib, os, subprocess
from pathlib import Path

import pytest

import fieldsnb
from fieldsnb.standin import write_standin
from fieldsnb.flame import read_flame_model


def modules():
    root = Path(fieldsnb.__file__).parent
    return sorted(p.stem for p in root.glob('*.py') if not p.stem.startswith('_'))


@pytest.mark.parametrize('name', modules())
def test_every_module_imports(name):
    "Catches exported cells that use names defined only in unexported notebook cells."
    importlib.import_module(f'fieldsnb.{name}')


def run(*args, env=None):
    return subprocess.run(['fieldsnb', *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_help_lists_subcommands():
    r = run('--help')
    assert r.returncode == 0
    for sub in ('quickstart', 'ablation', 'evaluate', 'expressions', 'standin', 'info'): assert sub in r.stdout


def test_quickstart_on_embedded_defaults(tmp_path):
    """The README's main job at toy size: no FLAME file given, the stand-in is generated once into the cache,
    three methods are trained from one base model and evaluated, the report and metrics.csv are written."""
    env = {'FIELDSNB_CACHE': str(tmp_path / 'cache'), 'FIELDSNB_FLAME': ''}
    toy = ['--n', '40', '--size', '32', '--base-steps', '2', '--steps', '3', '--batch-size', '4', '--quiet']
    r = run('quickstart', '--out', str(tmp_path / 'qs'), *toy, env=env)
    assert r.returncode == 0, r.stderr
    assert 'generating the stand-in' in r.stderr
    rows = list(csv.DictReader(open(tmp_path / 'qs' / 'metrics.csv')))
    assert list(rows[0]) == ['method', 'metric', 'value']
    assert {row['method'] for row in rows} == {'smirk', 'emoca', 'fields'}
    assert {'expression_rmse', 'vertex_mm', 'intensity_ratio', 'valence_ccc_probe', 'accuracy_probe'} <= {row['metric'] for row in rows}
    assert (tmp_path / 'qs' / 'report.html').stat().st_size > 100_000
    assert str(tmp_path / 'qs' / 'report.html') in r.stdout and 'FIELDS lower expression error' in r.stdout
    r2 = run('expressions', '--out', str(tmp_path / 'ex'), env=env)
    assert r2.returncode == 0 and 'generating' not in r2.stderr      # generated once, then reused
    assert (tmp_path / 'ex' / 'expressions.png').stat().st_size > 10_000


def test_bad_flame_file_is_a_clear_error(tmp_path):
    (tmp_path / 'generic_model.pkl').write_bytes(b'not a pickle at all')
    r = run('quickstart', '--out', str(tmp_path / 'qs'), env={'FIELDSNB_FLAME': str(tmp_path / 'generic_model.pkl')})
    assert r.returncode == 2 and 'not a readable pickle' in r.stderr and 'Traceback' not in r.stderr


def test_flame_sized_standin_has_flame_topology(tmp_path):
    m = read_flame_model(write_standin(tmp_path / 'big', flame_sized=True))
    assert m['v_template'].shape == (5023, 3) and m['faces'].shape == (9976, 3) and m['shapedirs'].shape == (5023, 3, 400)
    assert m['posedirs'].shape == (5023, 3, 36) and m['J_regressor'].shape == (5, 5023) and m['weights'].shape == (5023, 5)


def test_faces_command_crops_and_skips(tmp_path):
    "Photos in a folder: faces are cropped, a non-image and a faceless picture are skipped with a reason."
    import numpy as np
    from PIL import Image
    from skimage import data
    photos = tmp_path / 'photos'; photos.mkdir()
    Image.fromarray(data.astronaut()).save(photos / 'astronaut.jpg')
    Image.fromarray(np.full((120, 160, 3), 200, np.uint8)).save(photos / 'wall.png')
    (photos / 'notes.jpg').write_text('not a photo')
    r = run('faces', str(photos), '--out', str(tmp_path / 'crops'))
    assert r.returncode == 0, r.stderr
    rows = {row['file'].split('/')[-1]: row['status'] for row in csv.DictReader(open(tmp_path / 'crops' / 'faces.csv'))}
    assert rows['astronaut.jpg'] == 'ok' and rows['wall.png'] == 'no face' and rows['notes.jpg'].startswith('skipped')
    assert (tmp_path / 'crops' / 'astronaut_face0.png').is_file()
