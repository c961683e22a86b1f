"""The inspector's latency in a real browser.

Prints `inspect_update_ms: value`: the time from a key press on an inspector slider to the next animation frame
after plotly applied the new vertices, in Chromium driven by Playwright against JupyterLab on 127.0.0.1, median
of 20 steps, with the FLAME-sized stand-in (5023 vertices). The measurement is the browser test's own
(tests/test_inspect_browser.py); this runs it and passes its output through. Needs Debian's `chromium` and the
`playwright` package (a dev requirement). Screenshots land in $FIELDSNB_SCREENSHOTS (default _screenshots/).
Run: `python bench/inspector.py`.
"""
import subprocess, sys
from pathlib import Path

if __name__ == '__main__':
    root = Path(__file__).resolve().parents[1]
    sys.exit(subprocess.call([sys.executable, '-m', 'pytest', '-q', '-s', '-rs',
                              str(root/'tests'/'test_inspect_browser.py')], cwd=root))
