"""The modules form layers: each imports only modules exported by notebooks earlier in nbs/ order.

`python tests/test_layers.py` prints the dependency listing (module-level imports, then the imports made inside
functions, on demand); pytest checks that no module-level import points up or sideways."""
import ast, re
from pathlib import Path

LIB = Path(__file__).resolve().parents[1]/'fieldsnb'

def layer_order() -> dict:
    "Module name -> position of the notebook that exports it."
    order = {}
    for py in LIB.glob('*.py'):
        m = re.search(r'File to edit: \.\./nbs/(\S+)\.ipynb', py.read_text())
        if m: order[py.stem] = m.group(1)
    return {name: i for i, (name, nb) in enumerate(sorted(order.items(), key=lambda kv: kv[1]))}

def imports(py:Path) -> tuple[set, set]:
    "fieldsnb modules imported at module level, and inside functions."
    top, deferred = set(), set()
    tree = ast.parse(py.read_text())
    def visit(node, inside):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.level == 1 and child.module:
                (deferred if inside else top).add(child.module.split('.')[0])
            elif isinstance(child, ast.ImportFrom) and (child.module or '').startswith('fieldsnb.'):
                (deferred if inside else top).add(child.module.split('.')[1])
            visit(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))
    visit(tree, False)
    return top, deferred

def listing() -> list:
    order = layer_order()
    rows = []
    for name in sorted(order, key=order.get):
        top, deferred = imports(LIB/f'{name}.py')
        rows.append((name, sorted(top, key=lambda m: order.get(m, 99)), sorted(deferred, key=lambda m: order.get(m, 99))))
    return rows

def test_no_upward_import():
    order = layer_order()
    assert {'paths', 'flame', 'standin', 'render', 'faces', 'data', 'cli'} <= set(order)
    for name, top, _ in listing():
        up = [m for m in top if order.get(m, 99) >= order[name]]
        assert not up, f"fieldsnb.{name} imports {up}, which come later in the notebook order"

def test_only_the_stand_in_lookup_reaches_up_on_demand():
    "paths.flame_model_path generates the stand-in when no FLAME model is given: the one deliberate exception."
    order = layer_order()
    up = [(name, m) for name, _, deferred in listing() for m in deferred if order.get(m, 99) >= order[name]]
    assert up == [('paths', 'standin')], up

def test_lower_layers_do_not_import_the_generator():
    rows = {name: top + deferred for name, top, deferred in listing()}
    for name in ('flame', 'render', 'faces'):
        assert 'standin' not in rows[name] and 'standin_mesh' not in rows[name], name

if __name__ == '__main__':
    order = layer_order()
    for name, top, deferred in listing():
        line = f"{order[name]:2d} {name:13s} <- {', '.join(top) or '-'}"
        if deferred: line += f"   (on demand, inside a function: {', '.join(deferred)})"
        print(line)
