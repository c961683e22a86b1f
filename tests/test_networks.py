"Exported networks: one image goes through encoder, FLAME and emotion head; checkpoints rebuild from their files."
import torch

from fieldsnb.emotion import IG3D_LATE_WEIGHTS, EmotionHead, Ig3DFusion
from fieldsnb.metrics import ccc
from fieldsnb.encoders import FLAMEEncoder
from fieldsnb.networks import load_network, save_network
from fieldsnb.flame import FLAME
from fieldsnb.standin import standin_path
from fieldsnb.synthesizer import Synthesizer


def test_image_to_flame_and_emotion_and_back(tmp_path):
    encoder = FLAMEEncoder('mobilenetv3', n_shape=20, n_expr=10).eval()
    head = EmotionHead(n_expr=10, hidden=32, layers=2).eval()
    flame = FLAME.from_file(standin_path(), n_shape=20, n_expr=10)
    img = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        params = encoder(img)
        assert flame(params).vertices.shape == (2, flame.n_vertices, 3)
        emotion = head(params['expression'], jaw_pose=params['jaw_pose'])
    assert emotion['logits'].shape == (2, 8)
    for net in (encoder, head, Synthesizer(base=8, res_blocks=1).eval()):
        back = load_network(save_network(net, tmp_path / type(net).__name__)).eval()
        assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), back.state_dict().values()))
    assert abs(ccc([1., 2, 3], [1., 2, 3]) - 1) < 1e-12


def test_emoca_preset_and_ig3d_late_weights():
    head = EmotionHead.preset('emoca', hidden=16, layers=1).eval()
    assert head.mlp[0].in_features == 100 + 50 + 3                     # EMOCA: shape + expression + jaw
    with torch.no_grad():
        assert head(torch.randn(2, 50), torch.randn(2, 100), torch.randn(2, 3))['logits'].shape == (2, 8)
    fusion = Ig3DFusion('late', backbone='mobilenetv3_small', n_expr=10, hidden=16, layers=1)
    assert fusion.config['late_weights'] == IG3D_LATE_WEIGHTS['affectnet_emoca'] == dict(image=.8, params=.2)
