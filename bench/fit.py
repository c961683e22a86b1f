"""FLAME fitting speed and accuracy on synthetic data with known parameters (FLAME-sized stand-in, CPU by default).

Prints `name: value` lines:
- `fit_seconds_per_scan`: `fit_scans` on one scan (batch 1, default settings: 100 steps after the rigid start,
  5000 scan points), median over the scans;
- `fit_seconds_per_landmark_set_b1` / `_b32`: `fit_landmarks` on MediaPipe's 478 points in 2D (default settings),
  wall time divided by the batch;
- recovery errors, scans and landmark sets: `*_au_error` (mean absolute error of the 17 named action units'
  activations, 1 = a unit at full strength; `*_au_error_neutral` is the same for a fit that answers "neutral"),
  `*_vertex_error_mm` (mean distance between fitted and true vertices, whole head, head pose included for scans;
  for 2D landmarks with the pose set to zero, since depth and scale are not seen) and `*_face_vertex_error_mm`
  (face region only); `*_distinct_units` restricts the AU error to the units that `unit_identifiability` finds
  at least 30 % distinct from the others for that data (whole surface for scans, MediaPipe 2D for landmarks).
`fit_cpu_seconds_*` is process CPU time, which a shared machine inflates less than wall time.
The synthetic scans: posed stand-in meshes (shape ~ 0.5 sd, each unit active with probability 0.35 at U(0,1),
jaw U(0, 0.2) rad, head turned by N(0, 0.1) rad per axis), resampled to 20000 area-uniform points of which the side
facing +z is kept, with 0.5 mm Gaussian noise, and their 68 landmarks with the same noise.
Run: `python bench/fit.py [--device cuda] [--threads N] [--scans 4] [--steps 100]`.
"""
import argparse, time

import numpy as np
import torch

from fieldsnb.fit import fit_landmarks, fit_scans, flame_inputs, synthetic_scans, unit_identifiability
from fieldsnb.flame import FLAME
from fieldsnb.render import ortho_project, read_region_masks
from fieldsnb.standin import ACTION_UNITS, standin_path
from fieldsnb.synthetic import au_matrix


def draw(n, flame, au, seed):
    "Known parameters: identity, sparse action units, jaw, head pose."
    g = torch.Generator().manual_seed(seed)
    act = torch.rand(n, len(ACTION_UNITS), generator=g) * (torch.rand(n, len(ACTION_UNITS), generator=g) < .35)
    jaw = torch.zeros(n, 3)
    jaw[:, 0] = torch.rand(n, generator=g) * .2
    return act, dict(shape=torch.randn(n, flame.n_shape, generator=g) * .5, expression=act @ au, jaw_pose=jaw,
                     global_pose=torch.randn(n, 3, generator=g) * .1)


def errors(flame, au_pinv, fit_params, act, truth, face, distinct, pose=True):
    "AU activation errors (all units, distinct units) and vertex errors (mm) of fitted against true parameters."
    keys = [k for k in ('shape', 'expression', 'jaw_pose', 'global_pose', 'translation', 'eyelids') if pose or k not in ('global_pose', 'translation')]
    with torch.no_grad():
        got = flame(**flame_inputs({k: v for k, v in fit_params.items() if k in keys}, len(act))).vertices
        want = flame(**{k: v for k, v in truth.items() if k in keys}).vertices
    d = (got - want).norm(dim=-1) * 1e3
    e = (fit_params['expression'] @ au_pinv - act).abs()
    return e.mean().item(), e[:, distinct].mean().item(), d.mean().item(), d[:, face].mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch decides)')
    ap.add_argument('--scans', type=int, default=4, help='synthetic scans fitted one by one')
    ap.add_argument('--steps', type=int, default=100, help='scan fit steps after the rigid start (fit_scans default 100)')
    ap.add_argument('--n-shape', dest='n_shape', type=int, default=100)
    ap.add_argument('--n-expr', dest='n_expr', type=int, default=50)
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    dev = args.device
    folder = standin_path(flame_sized=True)
    flame = FLAME.from_file(folder, n_shape=args.n_shape, n_expr=args.n_expr).to(dev)
    au = torch.as_tensor(au_matrix(flame.cpu(), folder/'generic_model.pkl'))
    flame = flame.to(dev)
    au_pinv = torch.linalg.pinv(au).to(dev)
    face = torch.as_tensor(read_region_masks(folder)['face'])
    ident = unit_identifiability(flame.cpu(), au.numpy())
    flame = flame.to(dev)
    print(f"device: {dev if dev == 'cpu' else torch.cuda.get_device_name()}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"vertices: {flame.n_vertices}")
    print(f"n_shape: {flame.n_shape}")
    print(f"n_expr: {flame.n_expr}")

    # scans, one at a time
    act, truth = draw(args.scans, flame, au, seed=0)
    truth = {k: v.to(dev) for k, v in truth.items()}
    scans = synthetic_scans(flame, truth, n_points=20000, noise_mm=.5, seed=0)
    seconds, cpu, fits = [], [], []
    for s in scans:
        t, c = time.perf_counter(), time.process_time()
        fits.append(fit_scans(flame, [s], steps=args.steps))
        seconds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    params = {k: torch.cat([f.params[k] for f in fits]) for k in fits[0].params}
    distinct = torch.tensor((ident['surface 3D: unique'] >= .3).to_numpy())
    au_err, au_distinct, v_err, f_err = errors(flame, au_pinv, params, act.to(dev), truth, face, distinct)
    print(f"scan_points: {int(np.mean([len(s.points) for s in scans]))}")
    print(f"fit_seconds_per_scan: {np.median(seconds):.2f}")
    print(f"fit_cpu_seconds_per_scan: {np.median(cpu):.2f}")
    print(f"scan_residual_rms_mm: {torch.cat([f.residual_mm for f in fits]).mean().item():.3f}")
    print(f"scan_au_error: {au_err:.3f}")
    print(f"scan_au_error_neutral: {act.abs().mean().item():.3f}")
    print(f"scan_distinct_units: {int(distinct.sum())}")
    print(f"scan_au_error_distinct_units: {au_distinct:.3f}")
    print(f"scan_au_error_distinct_units_neutral: {act[:, distinct].abs().mean().item():.3f}")
    print(f"scan_vertex_error_mm: {v_err:.2f}")
    print(f"scan_face_vertex_error_mm: {f_err:.2f}")

    # MediaPipe landmark sets in 2D, batch 1 and 32
    act, truth = draw(32, flame, au, seed=1)
    truth = {k: v.to(dev) for k, v in truth.items()}
    cam = torch.tensor([[7., .01, -.02]], device=dev).expand(32, 3)
    with torch.no_grad(): lm = ortho_project(flame(**truth).landmarks_mediapipe, cam)[..., :2]
    for B in (1, 32):
        t, c = time.perf_counter(), time.process_time()
        f = fit_landmarks(flame, lm[:B], kind='mediapipe')
        if dev != 'cpu': torch.cuda.synchronize()
        print(f"fit_seconds_per_landmark_set_b{B}: {(time.perf_counter() - t) / B:.3f}")
        print(f"fit_cpu_seconds_per_landmark_set_b{B}: {(time.process_time() - c) / B:.3f}")
    distinct = torch.tensor((ident['MediaPipe 2D: unique'] >= .3).to_numpy())
    au_err, au_distinct, v_err, f_err = errors(flame, au_pinv, f.params, act.to(dev), truth, face, distinct, pose=False)
    print(f"landmarks_residual_rms_mm: {f.residual_mm.mean().item():.3f}")
    print(f"landmarks_au_error: {au_err:.3f}")
    print(f"landmarks_au_error_neutral: {act.abs().mean().item():.3f}")
    print(f"landmarks_distinct_units: {int(distinct.sum())}")
    print(f"landmarks_au_error_distinct_units: {au_distinct:.3f}")
    print(f"landmarks_au_error_distinct_units_neutral: {act[:, distinct].abs().mean().item():.3f}")
    print(f"landmarks_vertex_error_mm: {v_err:.2f}")
    print(f"landmarks_face_vertex_error_mm: {f_err:.2f}")


if __name__ == '__main__':
    main()
