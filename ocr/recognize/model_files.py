"""The model files: PP-OCRv6 ONNX files assembled offline into PaddleX model folders.

The ONNX files come from the pinned ``rapidocr`` wheel; a folder holds
``inference.onnx`` + ``inference.yml``.

Nothing here downloads anything. The ONNX files are verified against pinned SHA-256
checksums before use, and each assembled folder carries a ``manifest.json`` with the
checksums so a damaged cache is detected and rebuilt.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ocr.errors import ModelError
from ocr.scan.load import sha256_path

# The rapidocr wheel version whose models/ folder we take, and the files' checksums.
RAPIDOCR_VERSION = "3.10.0"
DET_NAME = "PP-OCRv6_small_det"
REC_NAME = "PP-OCRv6_small_rec"
SOURCES = {
    DET_NAME: (
        "PP-OCRv6_det_small.onnx",
        "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    ),
    REC_NAME: (
        "PP-OCRv6_rec_small.onnx",
        "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
    ),
}

_NORMALIZE = {
    "NormalizeImage": {
        "mean": [0.485, 0.456, 0.406],
        "std": [0.229, 0.224, 0.225],
        "scale": "1./255.",
        "order": "hwc",
    }
}


@dataclass(frozen=True)
class ModelSet:
    """The two model folders recognition needs, with their names and checksums."""

    det_name: str
    det_dir: Path
    rec_name: str
    rec_dir: Path
    det_sha256: str
    rec_sha256: str
    source: str

    def provenance(self) -> dict[str, str]:
        return {
            "det_model": self.det_name,
            "det_sha256": self.det_sha256,
            "rec_model": self.rec_name,
            "rec_sha256": self.rec_sha256,
            "models_from": self.source,
        }


def cache_dir() -> Path:
    """Where assembled model folders live (``OCR_MODEL_CACHE`` overrides)."""
    env = os.environ.get("OCR_MODEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "zhangmiao-ocr" / "models"


def rapidocr_models_dir() -> Path:
    """The ``models/`` folder of the installed rapidocr wheel, found without importing it
    (rapidocr itself is installed without its dependencies: only its files are used)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the rapidocr wheel is not installed; install it with "
            f"'pip install --no-deps rapidocr=={RAPIDOCR_VERSION}' (its models/ folder "
            "holds the PP-OCRv6 models)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _det_config(name: str) -> dict:
    return {
        "Global": {"model_name": name},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": 960}},
                _NORMALIZE,
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": 0.6,
            "max_candidates": 1000,
            "unclip_ratio": 1.5,
        },
    }


def _rec_config(name: str, characters: list[str]) -> dict:
    return {
        "Global": {"model_name": name},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {
                    "KeepKeys": {
                        "keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]
                    }
                },
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def rec_characters(onnx_path: Path) -> list[str]:
    """The recognizer's character list, stored in the ONNX metadata under ``character``."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    if "character" not in meta:
        raise ModelError(f"{onnx_path}: no 'character' list in the ONNX metadata")
    return meta["character"].split("\n")


def _folder_ok(folder: Path, sha: str) -> bool:
    manifest = folder / "manifest.json"
    if not (manifest.exists() and (folder / "inference.onnx").exists()):
        return False
    try:
        recorded = json.loads(manifest.read_text())
    except ValueError:
        return False
    return recorded.get("sha256") == sha and sha256_path(folder / "inference.onnx") == sha


def assemble(name: str, target_root: Path | None = None, source_dir: Path | None = None) -> Path:
    """Build (or verify) the PaddleX model folder for ``name``; return its path."""
    filename, sha = SOURCES[name]
    root = target_root or cache_dir()
    folder = root / f"{name}-{sha[:12]}"
    if _folder_ok(folder, sha):
        return folder
    src = (source_dir or rapidocr_models_dir()) / filename
    if not src.exists():
        raise ModelError(f"model file missing: {src}")
    actual = sha256_path(src)
    if actual != sha:
        raise ModelError(f"{src}: checksum {actual} does not match the pinned {sha}")
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copyfile(src, tmp / "inference.onnx")
    if name.endswith("_rec"):
        config = _rec_config(name, rec_characters(tmp / "inference.onnx"))
    else:
        config = _det_config(name)
    (tmp / "inference.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    (tmp / "manifest.json").write_text(
        json.dumps({"name": name, "sha256": sha, "source": str(src)}, indent=1)
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


def _read_name(folder: Path) -> str:
    try:
        config = yaml.safe_load((folder / "inference.yml").read_text())
        return config["Global"]["model_name"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ModelError(f"{folder}: not a PaddleX model folder ({exc})") from exc


def load_model_set(models: str | Path | None = None) -> ModelSet:
    """The default PP-OCRv6 small pair, or the det/rec folders found under ``models``.

    ``models`` may hold two PaddleX model folders, one whose model name ends in ``_det``
    and one ending in ``_rec`` (e.g. PP-OCRv5 server models exported for PaddleX).
    """
    if models is None:
        det = assemble(DET_NAME)
        rec = assemble(REC_NAME)
        return ModelSet(
            DET_NAME,
            det,
            REC_NAME,
            rec,
            SOURCES[DET_NAME][1],
            SOURCES[REC_NAME][1],
            f"rapidocr=={RAPIDOCR_VERSION}",
        )
    root = Path(models)
    if not root.is_dir():
        raise ModelError(f"--models {root}: not a folder")
    found: dict[str, tuple[str, Path]] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "inference.yml").exists()):
        name = _read_name(folder)
        for kind in ("det", "rec"):
            if name.endswith(f"_{kind}"):
                found.setdefault(kind, (name, folder))
    if set(found) != {"det", "rec"}:
        raise ModelError(
            f"--models {root}: need one *_det and one *_rec PaddleX model folder, "
            f"found {sorted(found) or 'none'}"
        )

    def digest(folder: Path) -> str:
        onnx = folder / "inference.onnx"
        return sha256_path(onnx) if onnx.exists() else "n/a"

    (dn, dd), (rn, rd) = found["det"], found["rec"]
    return ModelSet(dn, dd, rn, rd, digest(dd), digest(rd), str(root))
