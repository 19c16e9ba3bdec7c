"""Images made lighter on request: raster media wider than a limit are resized and recompressed.

Pillow is an optional extra (``pip install 'elearn-builder[images]'``): only builds that ask for
``--max-image-width`` need it. The file keeps its name and format (pages link to it), and an image
is replaced only when the result is smaller. PNGs within the limit are recompressed losslessly;
JPEG and WebP are re-encoded only when resized. The same input gives the same bytes.
"""
from __future__ import annotations

from types import MappingProxyType

import io
from pathlib import PurePosixPath

from elearn_builder.diagnostics import ElearnError

RASTER = MappingProxyType({".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"})
"""Suffixes of the formats resized, and the Pillow format each is written back in."""
JPEG_QUALITY = 82
WEBP_QUALITY = 80


def shrink(media: dict[str, bytes], max_width: int) -> dict[str, bytes]:
    """``media`` with raster images wider than ``max_width`` resized (aspect kept) and PNGs recompressed."""
    if max_width < 1:
        raise ElearnError(f"--max-image-width must be a positive number of pixels, not {max_width}")
    try:
        from PIL import Image
    except ImportError:
        raise ElearnError("--max-image-width needs Pillow: pip install 'elearn-builder[images]'") from None
    out = {}
    for target, data in media.items():
        kind = RASTER.get(PurePosixPath(target).suffix.lower())
        out[target] = data if kind is None else _smaller(Image, data, kind, max_width, target)
    return out


def _smaller(image_module, data: bytes, kind: str, max_width: int, target: str) -> bytes:
    try:
        with image_module.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > 1:  # leave animations alone
                return data
            if image.width > max_width:
                height = max(1, round(image.height * max_width / image.width))
                resized = image.resize((max_width, height), image_module.Resampling.LANCZOS)
            elif kind == "PNG":  # narrow enough: only recompressed, losslessly
                resized = image.copy()
            else:  # re-encoding a JPEG or WebP that is not resized would only lose quality
                return data
            if kind == "JPEG" and resized.mode not in ("RGB", "L"):
                resized = resized.convert("RGB")
            buffer = io.BytesIO()
            resized.save(buffer, kind, **_settings(kind))
    except (OSError, ValueError, image_module.DecompressionBombError) as exc:
        raise ElearnError(f"{target}: cannot resize this image: {exc}") from None
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(data) else data


def _settings(kind: str) -> dict:
    if kind == "JPEG":
        return {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    if kind == "PNG":
        return {"optimize": True}
    if kind == "WEBP":
        return {"quality": WEBP_QUALITY, "method": 6}
    return {}
