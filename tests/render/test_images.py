"""Images on request: wide raster media resized and recompressed, everything else left as it is."""
from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.diagnostics import ElearnError
from elearn_builder.render.images import shrink

Image = pytest.importorskip("PIL.Image", reason="Pillow is the optional 'images' extra")
MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"


def picture(width: int, height: int, kind: str, mode: str = "RGB") -> bytes:
    """A gradient (so compression has something to do), saved plainly (no optimisation)."""
    image = Image.new(mode, (width, height))
    image.putdata([((x * 255) // width, (y * 255) // height, 128)[: len(mode)] for y in range(height)
                   for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"quality": 95} if kind == "JPEG" else {"compress_level": 1}))
    return buffer.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_wide_images_are_resized_keeping_the_aspect_ratio():
    media = {"media/wide.png": picture(800, 400, "PNG"), "media/photo.jpg": picture(1000, 300, "JPEG")}
    out = shrink(media, 200)
    assert size_of(out["media/wide.png"]) == (200, 100)
    assert size_of(out["media/photo.jpg"]) == (200, 60)
    assert all(len(out[k]) < len(media[k]) for k in media)
    with Image.open(io.BytesIO(out["media/photo.jpg"])) as image:
        assert image.format == "JPEG"


def test_narrow_png_is_recompressed_without_loss_and_narrow_jpeg_left_alone():
    png, jpeg = picture(120, 80, "PNG"), picture(120, 80, "JPEG")
    out = shrink({"a.png": png, "b.jpeg": jpeg}, 500)
    assert out["b.jpeg"] == jpeg
    assert len(out["a.png"]) <= len(png)
    with Image.open(io.BytesIO(out["a.png"])) as after, Image.open(io.BytesIO(png)) as before:
        assert after.size == before.size and after.tobytes() == before.convert(after.mode).tobytes()


def test_vector_and_other_files_are_untouched():
    media = {"media/diagram.svg": b"<svg xmlns='http://www.w3.org/2000/svg' width='9000'/>", "media/notes.pdf": b"%PDF"}
    assert shrink(media, 10) == media


def test_the_same_image_gives_the_same_bytes():
    media = {"m.png": picture(640, 480, "PNG"), "p.jpg": picture(640, 480, "JPEG")}
    assert shrink(media, 320) == shrink(dict(media), 320)


def test_a_broken_image_is_a_clear_error():
    with pytest.raises(ElearnError, match=r"media/broken.png: cannot resize this image"):
        shrink({"media/broken.png": b"\x89PNG\r\n\x1a\n not really"}, 100)


def test_without_pillow_the_option_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ElearnError, match=r"pip install 'elearn-builder\[images\]'"):
        shrink({"a.png": b""}, 100)


def test_build_option_resizes_the_packaged_copy_only(tmp_path):
    from elearn_builder.cli.commands import main

    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    original = picture(900, 300, "PNG")
    (course / "media" / "wide.png").write_bytes(original)
    page = course / "modules" / "two.md"
    page.write_text(page.read_text() + "\n\n![A wide picture](../media/wide.png)\n")
    runner = CliRunner()
    plain = runner.invoke(main, ["build", "-s", str(course), "-o", str(tmp_path / "plain"), "-f", "scorm12"])
    small = runner.invoke(main, ["build", "-s", str(course), "-o", str(tmp_path / "small"), "-f", "scorm12",
                                 "--max-image-width", "300"])
    assert plain.exit_code == 0 and small.exit_code == 0, plain.output + small.output
    with zipfile.ZipFile(tmp_path / "plain" / "mini-manager-scorm12.zip") as zf:
        assert zf.read("media/wide.png") == original
    with zipfile.ZipFile(tmp_path / "small" / "mini-manager-scorm12.zip") as zf:
        assert size_of(zf.read("media/wide.png")) == (300, 100)
    assert (course / "media" / "wide.png").read_bytes() == original


def test_the_option_refuses_a_width_below_one(tmp_path):
    from elearn_builder.cli.commands import main

    run = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path), "--max-image-width", "0"])
    assert run.exit_code == 2 and "--max-image-width" in run.output
    with pytest.raises(ElearnError, match="positive number of pixels"):
        shrink({}, 0)
