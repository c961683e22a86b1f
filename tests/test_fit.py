"`fieldsnb fit-scans` on a tiny synthetic sequence: targets read back through FLAMETargets; bad frames are reported and skipped."
import os, subprocess

import numpy as np
import pandas as pd
import torch
import trimesh
from PIL import Image

from fieldsnb.data import FLAMETargets
from fieldsnb.flame import FLAME
from fieldsnb.fit import synthetic_scans
from fieldsnb.standin import ACTION_UNITS


def write_wrl(path, verts, faces):
    "A VRML 2.0 IndexedFaceSet written the way BP4D's frames are (coordinates, polygons ended by -1, texture)."
    pts = ',\n'.join(f"{x:.4f} {y:.4f} {z:.4f}" for x, y, z in verts)
    idx = ',\n'.join(f"{a}, {b}, {c}, -1" for a, b, c in faces)
    path.write_text(f"#VRML V2.0 utf8\nShape {{\n appearance Appearance {{ texture ImageTexture {{ url \"frame.bmp\" }} }}\n"
                    f" geometry IndexedFaceSet {{\n  coord Coordinate {{ point [\n{pts} ] }}\n"
                    f"  texCoord TextureCoordinate {{ point [ 0 0, 1 1 ] }}\n  coordIndex [\n{idx} ]\n }}\n}}\n")


def make_sequence(root, images):
    "Frames 1, 2, 4 (3 is missing) of one brow-lowering sequence in mm, as WRL, PLY and OBJ, and four bad frames."
    flame = FLAME.from_file(None, n_shape=10, n_expr=20)
    params = dict(shape=torch.randn(1, 10, generator=torch.Generator().manual_seed(0)).expand(3, 10) * .3,
                  expression=torch.zeros(3, 20))
    params['expression'][:, ACTION_UNITS.index('brow_lower')] = torch.tensor([0., 1.2, 2.5])
    seq = root/'F001'/'T2'
    seq.mkdir(parents=True)
    with torch.no_grad(): verts = flame(**params).vertices.numpy() * 1000
    faces = flame.faces.numpy()
    front = faces[(np.cross(verts[0][faces[:, 1]] - verts[0][faces[:, 0]], verts[0][faces[:, 2]] - verts[0][faces[:, 0]])[:, 2] > 0)]
    write_wrl(seq/'F001_T2_0001.wrl', verts[0], front)                                 # a mesh, as BP4D's frames are
    scans = synthetic_scans(flame, params, n_points=3000, seed=1)
    trimesh.PointCloud(scans[1].points * 1000).export(seq/'F001_T2_0002.ply')           # a point cloud
    trimesh.Trimesh(verts[2], np.r_[front, [[front[0, 0], front[0, 1], len(verts[2]) - 1]] * 2],
                    process=False).export(seq/'F001_T2_0004.ply')                      # non-manifold: fitted with a note
    (seq/'F001_T2_0005.obj').write_text('# nothing here\n')                             # empty
    trimesh.PointCloud(scans[1].points * 1e6).export(seq/'F001_T2_0006.ply')            # no face is 250 m across
    (seq/'F001_T2_0007.wrl').write_text('#VRML V1.0 ascii\nSeparator { }\n')           # not VRML 2.0
    for n in (1, 2, 4):
        (images/'F001'/'T2').mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((64, 64, 3), 90, np.uint8)).save(images/'F001'/'T2'/f'F001_T2_{n:04d}.jpg')
    return params


def run(*args):
    return subprocess.run(['fieldsnb', 'fit-scans', *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, 'FIELDSNB_FLAME': ''})


def test_fit_scans_writes_targets_that_read_back(tmp_path):
    truth = make_sequence(tmp_path/'scans', tmp_path/'photos')
    r = run(tmp_path/'scans', '--out', tmp_path/'fits', '--n-shape', '10', '--n-expr', '20', '--steps', '40',
            '--images', tmp_path/'photos')
    assert r.returncode == 0, r.stderr[-3000:]
    assert '3 frames fitted, 3 skipped' in r.stdout, r.stdout
    for fragment in ('[3] are missing', '0005.obj', 'empty', '0006.ply', '--units', '0007.wrl', 'not a VRML 2.0'):
        assert fragment in r.stderr, (fragment, r.stderr[-3000:])
    assert 'Traceback' not in r.stderr
    table = pd.read_csv(tmp_path/'fits'/'residuals.csv')
    ok = table[table.status == 'ok']
    assert list(ok.frame) == ['F001_T2_0001', 'F001_T2_0002', 'F001_T2_0004']
    assert ok.message.str.contains('read as mm').all() and 'non-manifold' in ok.message.iloc[2]
    assert (ok.median_mm < 2).all(), ok
    ds = FLAMETargets(tmp_path/'fits', size=64)
    assert len(ds) == 3
    brow = [ds[i]['targets']['expression'][ACTION_UNITS.index('brow_lower')].item() for i in range(3)]
    assert brow[2] > max(brow[0], brow[1]), brow     # the strongest frame shows the most brow lowering
    flame = FLAME.from_file(None, n_shape=10, n_expr=20)
    got = {k: torch.stack([ds[i]['targets'][k] for i in range(3)]) for k in ('shape', 'expression', 'jaw_pose')}
    with torch.no_grad(): err = (flame(**got).vertices - flame(**truth).vertices).norm(dim=-1) * 1000
    assert (err.median(1).values < 3).all(), err.median(1)   # identity and expression, head pose aside: within 3 mm
    shapes = torch.stack([ds[i]['targets']['shape'] for i in range(3)])
    assert (shapes - shapes[0]).abs().max() == 0                 # one identity for the sequence
    assert (tmp_path/'fits'/'pictures'/'F001_T2.png').is_file()


def test_fit_scans_without_scans(tmp_path):
    (tmp_path/'empty').mkdir()
    r = run(tmp_path/'empty', '--out', tmp_path/'fits')
    assert r.returncode == 2 and 'no .obj, .ply or .wrl scans' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    r = run(tmp_path/'nowhere', '--out', tmp_path/'fits')
    assert r.returncode == 2 and 'no scan file or folder' in r.stderr, r.stderr
