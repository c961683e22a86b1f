"""The papermill experiment notebooks: `-p` values change what runs, not only what is printed.

train.ipynb is run twice with different methods and step counts; the run folders it writes must hold those
configurations and exactly those numbers of optimisation steps. report.ipynb is then pointed at both runs and
the world they were trained on, and must measure exactly them."""
import json
from pathlib import Path

import pandas as pd
import pytest

papermill = pytest.importorskip('papermill', reason='papermill comes with the dev install (pip install -e ".[dev]")')

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT/'nbs'/'experiments'


def run_notebook(name: str, out_dir: Path, **parameters) -> dict:
    "Execute an experiment notebook with papermill; returns the executed notebook."
    executed = out_dir/f'{name}-{len(list(out_dir.glob("*.ipynb")))}.ipynb'
    papermill.execute_notebook(str(EXPERIMENTS/f'{name}.ipynb'), str(executed), parameters=parameters,
                               kernel_name='python3', progress_bar=False, cwd=str(ROOT))
    return json.loads(executed.read_text())


@pytest.fixture(scope='module')
def world(tmp_path_factory) -> Path:
    from fieldsnb.synthetic import make_world
    root = tmp_path_factory.mktemp('world')/'world'
    make_world(root, n=40, size=32, progress=False, proportions=dict(wild=.5, spontaneous=.2, test=.3))
    return root


def test_parameters_cell_is_tagged():
    "Without the tag papermill would insert its values after a cell that then overwrites nothing, silently."
    for name in ('train', 'report'):
        nb = json.loads((EXPERIMENTS/f'{name}.ipynb').read_text())
        tagged = [c for c in nb['cells'] if 'parameters' in c['metadata'].get('tags', [])]
        assert len(tagged) == 1, name


def test_train_parameters_change_the_run(world, tmp_path):
    smirk = tmp_path/'smirk'
    nb = run_notebook('train', tmp_path, method='smirk', steps=3, data_root=str(world), out=str(smirk))
    injected = [c for c in nb['cells'] if 'injected-parameters' in c['metadata'].get('tags', [])]
    assert injected and "method = \"smirk\"" in ''.join(injected[0]['source'])
    config = json.loads((smirk/'config.json').read_text())
    assert config['name'] == 'smirk' and [s['name'] for s in config['stages']] == ['train']
    assert len(pd.read_csv(smirk/'metrics.csv')) == 3

    fields = tmp_path/'fields'
    run_notebook('train', tmp_path, method='fields', steps=5, data_root=str(world), out=str(fields),
                 base=str(smirk/'networks'/'train'/'encoder'))
    config = json.loads((fields/'config.json').read_text())
    assert config['name'] == 'fields' and [s['name'] for s in config['stages']] == ['step1', 'step2']
    assert config['stages'][0]['start_from']['expression'].endswith('encoder')
    steps = pd.read_csv(fields/'metrics.csv')
    assert len(steps) == 5 and set(steps.stage) == {'step1', 'step2'}

    out = tmp_path/'report'
    run_notebook('report', tmp_path, runs=f'baseline={smirk},fields={fields}', world=str(world), out=str(out))
    metrics = pd.read_csv(out/'metrics.csv')
    assert list(metrics.columns) == ['method', 'metric', 'value']
    assert sorted(metrics.method.unique()) == ['baseline', 'fields']
    assert (out/'report.html').stat().st_size > 100_000
