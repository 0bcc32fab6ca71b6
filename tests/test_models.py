"""Model folders are assembled offline from the rapidocr wheel and verified."""

from __future__ import annotations

import shutil

import pytest
import yaml

from ocr.errors import ModelError
from ocr.recognize import model_files as models
from ocr.scan.load import sha256_path


def test_assemble_builds_paddlex_folders(tmp_path):
    for name in (models.DET_NAME, models.REC_NAME):
        folder = models.assemble(name, target_root=tmp_path)
        assert (folder / "inference.onnx").exists()
        config = yaml.safe_load((folder / "inference.yml").read_text())
        assert config["Global"]["model_name"] == name
        assert sha256_path(folder / "inference.onnx") == models.SOURCES[name][1]
    rec = yaml.safe_load(
        (models.assemble(models.REC_NAME, target_root=tmp_path) / "inference.yml").read_text()
    )
    chars = rec["PostProcess"]["character_dict"]
    assert len(chars) > 10000 and "张" in chars and "庙" in chars


def test_damaged_cache_is_rebuilt(tmp_path):
    folder = models.assemble(models.DET_NAME, target_root=tmp_path)
    with open(folder / "inference.onnx", "r+b") as f:
        f.write(b"garbage")
    again = models.assemble(models.DET_NAME, target_root=tmp_path)
    assert sha256_path(again / "inference.onnx") == models.SOURCES[models.DET_NAME][1]


def test_wrong_source_checksum_is_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / models.SOURCES[models.DET_NAME][0]).write_bytes(b"not the model")
    with pytest.raises(ModelError, match="checksum"):
        models.assemble(models.DET_NAME, target_root=tmp_path / "cache", source_dir=src)


def test_custom_models_folder(tmp_path):
    root = tmp_path / "mine"
    root.mkdir()
    for name in (models.DET_NAME, models.REC_NAME):
        shutil.copytree(models.assemble(name, target_root=tmp_path / "c"), root / name)
    ms = models.load_model_set(root)
    assert (ms.det_name, ms.rec_name) == (models.DET_NAME, models.REC_NAME)
    assert ms.det_sha256 == models.SOURCES[models.DET_NAME][1]
    with pytest.raises(ModelError, match="_det"):
        models.load_model_set(tmp_path)  # holds no model folder itself


def test_one_opencv_wheel():
    from importlib.metadata import distributions

    names = {d.metadata["Name"].lower() for d in distributions()}
    cv = sorted(n for n in names if n.startswith("opencv"))
    assert cv == ["opencv-contrib-python"], cv
