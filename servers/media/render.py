"""The local generator: real PNG images and animated GIF clips drawn with Pillow.

Stands in for hosted generators (Ideogram, Runway) on the embedded default. Pure functions from
inputs to image bytes, deterministic for the same inputs, run off the event loop by the caller.
"""

from __future__ import annotations

import io
import re
import textwrap

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

SIZE = (720, 900)
CLIP_SIZE = (360, 450)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PALETTE = ["#1D3557", "#E63946", "#F1FAEE", "#FFFFFF"]


def _rgb(value: str) -> tuple[int, int, int]:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def palette_of(colours: list[str]) -> list[tuple[int, int, int]]:
    """Valid `#rrggbb` colours of a persona palette, padded with defaults to four."""
    valid = [c for c in colours if _HEX.match(c)]
    return [_rgb(c) for c in (valid + DEFAULT_PALETTE)[:4]]


def _gradient(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    column = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        t = y / max(1, size[1] - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _mark(draw: ImageDraw.ImageDraw, reference: str, colour: tuple[int, int, int]) -> None:
    """The character-reference mark: a badge naming the locked visual identity."""
    text, font = f"REF {reference}"[:40], _font(20)
    x0, y0 = SIZE[0] - 24 - 28 - round(draw.textlength(text, font=font)), 24
    draw.rounded_rectangle((x0, y0, SIZE[0] - 24, y0 + 56), radius=18, fill=colour)
    label = (0, 0, 0) if sum(colour) > 3 * 128 else (255, 255, 255)
    draw.text((x0 + 14, y0 + 16), text, font=font, fill=label)


_PLAIN = str.maketrans(
    {"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def _drawable(text: str) -> str:
    """The caption as the bundled font can draw it: plain punctuation, no emoji or symbols."""
    plain = text.translate(_PLAIN)
    return "".join(c for c in plain if ord(c) < 0x2000 or c == "\u00b7").strip()


def render_image(caption: str, reference: str, colours: list[str], style: list[str]) -> bytes:
    """A PNG in the palette with the caption, style hints and the character-reference mark."""
    primary, secondary, accent, ink = palette_of(colours)
    image = _gradient(SIZE, primary, secondary)
    draw = ImageDraw.Draw(image)
    draw.ellipse((160, 170, 560, 570), fill=accent, outline=ink, width=6)
    draw.rectangle((0, 600, SIZE[0], 610), fill=accent)
    _mark(draw, reference, ink)
    lines = textwrap.wrap(_drawable(caption), width=30)[:6]
    light_ink = sum(ink) > 3 * 128
    box = (0, 0, 0) if light_ink else (255, 255, 255)  # the caption box contrasts with the ink
    draw.rounded_rectangle((32, 630, SIZE[0] - 32, 870), radius=20, fill=box)
    for i, line in enumerate(lines):
        draw.text((52, 646 + i * 36), line, font=_font(28), fill=ink)
    if style:
        draw.text((40, 40), " · ".join(style)[:40], font=_font(20), fill=ink)
    info = PngInfo()
    info.add_text("character_reference_id", reference)
    info.add_text("caption", caption[:500])
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _gif(frames: list[Image.Image], duration_ms: int = 120) -> bytes:
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], duration=duration_ms, loop=0
    )
    return out.getvalue()


def clip_from_image(png: bytes, frames: int = 12) -> bytes:
    """A daily-tier clip: a slow zoom into the image, as an animated GIF."""
    source = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = source.size
    out = []
    for i in range(frames):
        inset = i * 0.012
        box = (
            round(width * inset),
            round(height * inset),
            round(width * (1 - inset)),
            round(height * (1 - inset)),
        )
        out.append(source.crop(box).resize(CLIP_SIZE))
    return _gif(out)


def clip_from_text(script: str, reference: str, colours: list[str], frames: int = 16) -> bytes:
    """A hero-tier clip rendered from a script: palette scenes revealing the script's lines."""
    primary, secondary, accent, ink = palette_of(colours)
    lines = textwrap.wrap(script, width=22)[:6] or [reference]
    out = []
    for i in range(frames):
        t = i / max(1, frames - 1)
        top = tuple(round(a + (b - a) * t) for a, b in zip(primary, accent, strict=True))
        image = _gradient(CLIP_SIZE, top, secondary)
        draw = ImageDraw.Draw(image)
        shown = lines[: 1 + i * len(lines) // frames]
        for row, line in enumerate(shown):
            draw.text((20, 60 + row * 30), line, font=_font(22), fill=ink)
        draw.text((20, CLIP_SIZE[1] - 40), f"REF {reference}"[:30], font=_font(16), fill=ink)
        out.append(image)
    return _gif(out)
