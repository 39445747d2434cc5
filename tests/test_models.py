import pytest
import torch

from datarights import models


@pytest.mark.parametrize(("name", "shape"), [("resnet18", (3, 32, 32)), ("allcnn", (3, 32, 32)), ("allcnn", (1, 28, 28)),
                                             ("digits_cnn", (1, 8, 8))])
def test_every_model_maps_images_to_class_logits(name, shape):
    model = models.build(name, 10, shape, seed=0).eval()
    assert model(torch.zeros(3, *shape)).shape == (3, 10)


def test_cifar_resnet_keeps_32px_resolution_in_the_stem():
    model = models.build("resnet18", 10, (3, 32, 32))
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, torch.nn.Identity)


def test_seeded_build_is_reproducible_and_reinitialize_changes_weights():
    a, b = (models.build("digits_cnn", 10, (1, 8, 8), seed=3) for _ in range(2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    before = [p.clone() for p in a.parameters()]
    models.reinitialize(a, seed=4)
    assert any(not torch.equal(p, q) for p, q in zip(before, a.parameters()))


def test_bad_model_requests_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown model name='vgg'.*allcnn"):
        models.build("vgg", 10, (3, 32, 32))
    with pytest.raises(ValueError, match="num_classes"):
        models.build("allcnn", 1, (3, 32, 32))
    with pytest.raises(ValueError, match="does not accept inputs of shape"):
        models.check_compatible(models.build("digits_cnn", 10, (1, 8, 8)), (3, 32, 32), 10)
    with pytest.raises(ValueError, match="4 classes"):
        models.check_compatible(models.build("digits_cnn", 10, (1, 8, 8)), (1, 8, 8), 4)
