"""Datasets as tensors, and the forget/retain splits of a deletion request."""

from datarights.data.registry import (
    CIFAR10_CLASSES,
    DATA_ENV,
    LOADERS,
    ImageDataset,
    default_data_dir,
    load,
)
from datarights.data import install  # the module: install.install(name, copy), install.install_all(folder)
from datarights.data.install import DataInstallError
from datarights.data.splits import ForgetRequest, UnlearningSplits, class_forgetting, random_forgetting, subclass_forgetting
from datarights.data.superclasses import SUPERCLASSES, Superclasses, get_superclasses
from datarights.data.tensors import Split, TensorData, concat, crop_flip

__all__ = [
    "CIFAR10_CLASSES", "DATA_ENV", "DataInstallError", "ForgetRequest", "LOADERS", "ImageDataset", "SUPERCLASSES", "Split", "Superclasses",
    "TensorData", "UnlearningSplits", "class_forgetting", "concat", "crop_flip", "default_data_dir", "get_superclasses", "install", "load",
    "random_forgetting", "subclass_forgetting",
]
