"""CPU inference speed: image -> (FLAME parameters, valence/arousal, class) for three encoder backbones.

Prints `name: value` lines: latency at batch 1 (median ms) and throughput at batch 32 (images/s)
for MobileNetV2, MobileNetV3 (SMIRK's: large-minimal for shape and expression, small-minimal for
pose) and ResNet50 encoders, each followed by the EMOCA-sized emotion head; parameter counts; and
`cpu_speedup_mobilenetv2_vs_resnet50_b1`. Every network and input uses the channels-last memory
layout (on CPU it nearly doubles MobileNetV2, whose depthwise convolutions are slow in the default
layout); `--no-channels-last` measures the default layout.
Run: `python bench/inference.py [--device cuda] [--no-channels-last]`.
"""
import argparse

import torch

from fieldsnb.emotion import EmotionHead
from fieldsnb.encoders import FLAMEEncoder
from timing import median_seconds


class Pipeline(torch.nn.Module):
    def __init__(self, backbone):
        super().__init__()
        pose_backbone = None if backbone == 'mobilenetv3' else backbone    # SMIRK pairs v3-large with v3-small
        self.encoder = FLAMEEncoder(backbone, pose_backbone=pose_backbone, n_shape=300, n_expr=50)
        # EMOCA's 4 x 2048 MLP on expression and jaw, as in earlier runs (the 'emoca' preset adds 100 shape inputs)
        self.head = EmotionHead(n_expr=50)
    def forward(self, img):
        p = self.encoder(img)
        return p, self.head(p['expression'], jaw_pose=p['jaw_pose'])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--no-channels-last', dest='channels_last', action='store_false')
    args = ap.parse_args()
    dev = args.device
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    print(f"device: {dev if dev == 'cpu' else torch.cuda.get_device_name()}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"memory_format: {'channels_last' if args.channels_last else 'contiguous'}")
    lat = {}
    for name in ('mobilenetv2', 'mobilenetv3', 'resnet50'):
        net = Pipeline(name).to(dev).to(memory_format=fmt).eval()
        print(f"params_{name}_encoders_M: {sum(p.numel() for p in net.encoder.parameters()) / 1e6:.2f}")
        with torch.inference_mode():
            x1 = torch.rand(1, 3, args.size, args.size, device=dev).contiguous(memory_format=fmt)
            x32 = torch.rand(32, 3, args.size, args.size, device=dev).contiguous(memory_format=fmt)
            lat[name] = median_seconds(lambda: net(x1), dev, min_time=2.0)
            thr = 32 / median_seconds(lambda: net(x32), dev, min_time=2.0)
        print(f"latency_{name}_b1_ms: {1000 * lat[name]:.1f}")
        print(f"throughput_{name}_b32_images_per_s: {thr:.1f}")
    print(f"params_emotion_head_M: {sum(p.numel() for p in EmotionHead(n_expr=50).parameters()) / 1e6:.2f}")
    kind = 'cpu' if dev == 'cpu' else 'gpu'
    print(f"{kind}_speedup_mobilenetv2_vs_resnet50_b1: {lat['resnet50'] / lat['mobilenetv2']:.2f}")


if __name__ == '__main__':
    main()
