"Exported networks: one image goes through encoder, FLAME and emotion head; checkpoints rebuild from their files."
import torch

from fieldsnb.emotion import EmotionHead
from fieldsnb.metrics import ccc
from fieldsnb.encoders import FLAMEEncoder
from fieldsnb.networks import load_network, save_network
from fieldsnb.flame import FLAME
from fieldsnb.standin import standin_path
from fieldsnb.synthesizer import Synthesizer


def test_image_to_flame_and_emotion_and_back(tmp_path):
    enc, head = FLAMEEncoder('mobilenetv3', n_shape=20, n_expr=10).eval(), EmotionHead(n_expr=10, hidden=32, layers=2).eval()
    flame = FLAME.from_file(standin_path(), n_shape=20, n_expr=10)
    img = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        p = enc(img)
        assert flame(p).vertices.shape == (2, flame.n_vertices, 3)
        e = head(p['expression'], jaw_pose=p['jaw_pose'])
    assert e['logits'].shape == (2, 8)
    for net in (enc, head, Synthesizer(base=8, res_blocks=1).eval()):
        back = load_network(save_network(net, tmp_path / type(net).__name__)).eval()
        assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), back.state_dict().values()))
    assert abs(ccc([1., 2, 3], [1., 2, 3]) - 1) < 1e-12
