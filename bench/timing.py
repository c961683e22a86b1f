"Shared by the benchmark scripts: median wall time of a call, after a warm-up, synchronising CUDA."
import time

import numpy as np
import torch


def median_seconds(fn, device='cpu', min_time:float=1.0, min_calls:int=5) -> float:
    "Median seconds per call of `fn()` over at least `min_time` seconds and `min_calls` calls, after two warm-up calls."
    sync = torch.cuda.synchronize if str(device).startswith('cuda') else (lambda: None)
    fn(); fn(); sync()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < min_time or len(times) < min_calls:
        t = time.perf_counter(); fn(); sync()
        times.append(time.perf_counter() - t)
    return float(np.median(times))
