"""Every subcommand on bad input, as a new user would meet it: a clear message, a non-zero exit, no traceback.

Each row: the arguments (with {tmp} for a scratch folder), a function preparing that folder, the exit code and a
fragment the message must hold."""
import os, subprocess

import numpy as np
import pytest
from PIL import Image


def nothing(tmp): pass

def corrupt_model(tmp): (tmp/'generic_model.pkl').write_bytes(b'not a pickle at all')

def text_as_photo(tmp):
    (tmp/'photos').mkdir()
    (tmp/'photos'/'notes.jpg').write_text('not a photo')

def blank_photo(tmp):
    (tmp/'photos').mkdir()
    Image.fromarray(np.full((120, 160, 3), 200, np.uint8)).save(tmp/'photos'/'wall.png')

def file_in_the_way(tmp): (tmp/'taken').write_text('a file where a folder should go')

def small_world(tmp):
    from fieldsnb.synthetic import make_world
    make_world(tmp/'world', n=12, size=32, progress=False, proportions=dict(wild=.5, test=.5))

def foreign_world(tmp):
    "A quickstart folder whose world was made with other settings."
    from fieldsnb.synthetic import make_world
    make_world(tmp/'world', n=12, size=32, progress=False, proportions=dict(wild=.5, test=.5))

def foreign_folder(tmp):
    (tmp/'world').mkdir()
    (tmp/'world'/'thesis.tex').write_text('my own work')


CASES = [
    # (id, arguments, prepare, exit code, message fragment)
    ('unknown subcommand', ['reconstrut'], nothing, 2, 'invalid choice'),
    ('quickstart: missing model', ['quickstart', '--flame', '{tmp}/nowhere.pkl', '--out', '{tmp}/qs'], nothing, 2,
     'FIELDSNB_FLAME'),
    ('quickstart: corrupt model', ['quickstart', '--flame', '{tmp}/generic_model.pkl', '--out', '{tmp}/qs'],
     corrupt_model, 2, 'not a readable pickle'),
    ('expressions: too many components', ['expressions', '--n-expr', '500', '--out', '{tmp}/ex'], nothing, 2,
     'expression components'),
    ('expressions: missing model', ['expressions', '--flame', '{tmp}/nowhere.pkl'], nothing, 2, 'FIELDSNB_FLAME'),
    ('quickstart: an unrelated world in the way', ['quickstart', '--out', '{tmp}', '--n', '40', '--size', '32'],
     foreign_world, 2, 'another size, count or seed'),
    ('evaluate: not a run', ['evaluate', '{tmp}/nowhere', '--world', '{tmp}/world'], small_world, 2, 'no config.json'),
    ('evaluate: no world', ['evaluate', '{tmp}/run', '--world', '{tmp}/nowhere'], nothing, 2, 'no test split'),
    ('faces: missing path', ['faces', '{tmp}/does/not/exist', '--out', '{tmp}/crops'], nothing, 2,
     'no face was cropped'),
    ('faces: not a photo', ['faces', '{tmp}/photos', '--out', '{tmp}/crops'], text_as_photo, 2, 'notes.jpg'),
    ('faces: no face', ['faces', '{tmp}/photos', '--out', '{tmp}/crops'], blank_photo, 2, 'no face'),
    ('synth: no images', ['synth', '{tmp}/world', '--n', '0'], nothing, 2, 'must be at least 1'),
    ('synth: negative count', ['synth', '{tmp}/world', '--n', '-3'], nothing, 2, 'must be at least 1'),
    ('synth: a folder of other files', ['synth', '{tmp}/world', '--overwrite'], foreign_folder, 2,
     'is not empty and holds no synthetic world'),
    ('synth: a file in the way', ['synth', '{tmp}/taken'], file_in_the_way, 2, 'is a file'),
    ('synth: unknown split', ['synth', '{tmp}/world', '--split', 'studio=1'], nothing, 2, 'unknown splits'),
    ('synth: malformed split', ['synth', '{tmp}/world', '--split', 'wild'], nothing, 2, 'name=fraction'),
    ('fit-scans: missing input', ['fit-scans', '{tmp}/nowhere', '--out', '{tmp}/f'], nothing, 2,
     'no scan file or folder'),
    ('fit-scans: no scans', ['fit-scans', '{tmp}/photos', '--out', '{tmp}/f'], text_as_photo, 2,
     'no .obj, .ply or .wrl scans'),
    ('reconstruct: nothing to read', ['reconstruct', '{tmp}/photos', '--out', '{tmp}/r'], text_as_photo, 2,
     'no face was reconstructed'),
    ('reconstruct: unknown format', ['reconstruct', '{tmp}/photos', '--format', 'fbx'], nothing, 2, 'invalid choice'),
    ('info: missing model', ['info', '{tmp}/nothing-here'], nothing, 2, 'FIELDSNB_FLAME'),
    ('info: corrupt model', ['info', '{tmp}/generic_model.pkl'], corrupt_model, 2, 'not a readable pickle'),
    ('standin: a file in the way', ['standin', '{tmp}/taken'], file_in_the_way, 2, 'taken'),
]


@pytest.mark.parametrize('name,args,prepare,code,fragment', CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, name, args, prepare, code, fragment):
    prepare(tmp_path)
    r = subprocess.run(['fieldsnb', *[a.format(tmp=tmp_path) for a in args]], capture_output=True, text=True,
                       env={**os.environ, 'FIELDSNB_FLAME': ''})
    assert r.returncode == code, (r.returncode, r.stderr[-2000:])
    assert fragment in r.stderr, r.stderr[-2000:]
    assert 'Traceback' not in r.stderr
