"""An animation of the timeline: the contour with every run's path growing step by step.

Drawn with Pillow (``pip install 'losscape[animate]'``), no browser: the page's grey
contour fill (log levels when the range is wide, as on the page), its level lines,
the known minima as stars, each run in its palette colour with a white start marker,
a title line and a legend naming every run. Written as an animated GIF (Pillow) or
as a WebM (VP9) / MP4 (H.264) video through the ffmpeg binary that the
``imageio-ffmpeg`` wheel carries (``pip install 'losscape[video]'``): nothing is
downloaded at run time and no system ffmpeg is needed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .plot import RUN_COLORS, ZTransform, contour_levels, log_scale_suggested, run_label

MAX_FRAMES = 600
MAX_SIZE = 1600
# Extension -> ffmpeg encoder. VP9 plays in every browser and in slide software that
# embeds web video; H.264 is what PowerPoint and Keynote play natively.
VIDEO_CODECS = {".webm": "libvpx-vp9", ".mp4": "libx264"}
# Constant quality (flat fills and thin lines compress well). libvpx at speed 5 with row
# threads encodes about twice as fast as its default speed 0, with no visible loss here.
_CODEC_PARAMS = {
    "libvpx-vp9": [
        "-crf",
        "32",
        "-b:v",
        "0",
        "-deadline",
        "good",
        "-cpu-used",
        "5",
        "-row-mt",
        "1",
    ],
    "libx264": ["-crf", "23", "-preset", "medium"],
}
FORMATS = (".gif", *VIDEO_CODECS)


def _pil() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise ImportError("animations need Pillow: pip install 'losscape[animate]'") from None
    return Image, ImageDraw, ImageFont


def _ffmpeg() -> Any:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ImportError(
            ".webm and .mp4 need imageio-ffmpeg: pip install 'losscape[video]'"
        ) from None
    return imageio_ffmpeg


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _grey_scale(u: np.ndarray) -> np.ndarray:
    """The page's SURFACE_SCALE (#fff, #e6e6e6 at .35, #bdbdbd at .7, #8a8a8a) at u in [0, 1]."""
    stops = np.array([0.0, 0.35, 0.7, 1.0])
    greys = np.array([255.0, 230.0, 189.0, 138.0])
    return np.interp(u, stops, greys)


def background(values: np.ndarray, width: int, height: int, log: bool | None = None) -> Any:
    """The contour as an RGB image (rows over y, drawn with y up): grey fill by level band,
    darker lines where the band changes."""
    Image, _, _ = _pil()
    tr = ZTransform(values, log_scale_suggested(values) if log is None else log)
    z = np.asarray(tr(values), dtype=np.float64)
    lv = contour_levels(z, 26)
    finite = np.isfinite(z)
    lo, hi = (float(z[finite].min()), float(z[finite].max())) if finite.any() else (0.0, 1.0)
    band = np.floor((np.where(finite, z, lo) - lv["start"]) / lv["size"])
    mid = lv["start"] + (band + 0.5) * lv["size"]
    grey = _grey_scale(np.clip((mid - lo) / max(hi - lo, 1e-300), 0, 1))
    edge = np.zeros_like(band, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    grey = np.where(edge, grey * 0.78, grey)
    grey = np.where(finite, grey, 255.0)
    img = Image.fromarray(np.flipud(grey).astype(np.uint8), mode="L").convert("RGB")
    return img.resize((width, height), Image.Resampling.BILINEAR)


def animate_runs(
    surface: Any,
    runs: Sequence[Any],
    path: str,
    *,
    surface_params: Mapping[str, object] | None = None,
    view: Sequence[float] | None = None,
    frames: int = 60,
    fps: float = 12.0,
    size: tuple[int, int] = (640, 560),
    title: str | None = None,
) -> int:
    """Write an animation of ``runs`` on ``surface`` to ``path``; returns the frame count.

    The format follows the extension: .gif, .webm or .mp4 (see ``FORMATS``).
    Frame k shows every path up to step round(k * longest / (frames - 1)); the last
    frame holds for a second (a video repeats it, so its count is frames + ceil(fps) - 1).
    """
    from .plot import SurfaceData

    Image, ImageDraw, ImageFont = _pil()
    if not 2 <= int(frames) <= MAX_FRAMES:
        raise ValueError(f"frames must be between 2 and {MAX_FRAMES}, got {frames}")
    if not 0.5 <= float(fps) <= 60:
        raise ValueError(f"fps must be between 0.5 and 60, got {fps}")
    w, h = int(size[0]), int(size[1])
    if not (160 <= w <= MAX_SIZE and 160 <= h <= MAX_SIZE):
        raise ValueError(f"size must be between 160 and {MAX_SIZE} pixels a side")
    if not runs:
        raise ValueError("nothing to animate: no runs")
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ValueError(f"cannot tell the format of {path!r}; valid: {', '.join(FORMATS)}")
    if ext in VIDEO_CODECS:
        _ffmpeg()  # fail before drawing anything
    sd = SurfaceData(surface, surface_params=surface_params, view=view, resolution=24)
    x0, x1, y0, y1 = sd.view
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    top, legend_h = 34, 20 * len(runs) + 8
    pw, ph = w - 20, h - top - legend_h - 10
    # Equal axis scales, as on the page: fit the view's aspect into the plot area.
    scale = min(pw / (x1 - x0), ph / (y1 - y0))
    aw, ah = max(1, int((x1 - x0) * scale)), max(1, int((y1 - y0) * scale))
    ox, oy = 10 + (pw - aw) // 2, top + (ph - ah) // 2
    # The grid at about the plot's pixel size, so level lines come out one pixel wide.
    sd = SurfaceData(surface, surface_params=surface_params, view=(x0, x1, y0, y1),
                     resolution=min(max(aw, ah), 500))  # fmt: skip
    bg = background(sd.values, aw, ah)

    def px(x: float, y: float) -> tuple[float, float]:
        """Pixel position inside the plot area (paths are drawn there, then pasted: clipped)."""
        return (x - x0) / (x1 - x0) * aw, (y1 - y) / (y1 - y0) * ah

    longest = max(r.path.shape[0] - 1 for r in runs)
    base = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(base)
    d.text((10, 8), title or f"{sd.name}: {len(runs)} run{'s' * (len(runs) != 1)}", fill=(26,) * 3,
           font=font)  # fmt: skip
    db = ImageDraw.Draw(bg)
    for m in (c for c in sd.critical_points if c.kind == "minimum"):
        cx, cy = px(m.x, m.y)
        star = [
            (cx + r * math.sin(a), cy - r * math.cos(a))
            for i in range(10)
            for r, a in [((7 if i % 2 == 0 else 3), i * math.pi / 5)]
        ]
        db.polygon(star, fill=(255, 255, 255), outline=(26, 26, 26))
    ly = oy + ah + 10
    for i, r in enumerate(runs):
        color = _rgb(RUN_COLORS[i % len(RUN_COLORS)])
        d.line([(14, ly + 20 * i + 8), (40, ly + 20 * i + 8)], fill=color, width=3)
        d.text((48, ly + 20 * i), f"{run_label(r, i)} ({r.status})", fill=(26,) * 3, font=small)
    clip = 4 * max(w, h)
    images = []
    n_frames = int(frames)
    for k in range(n_frames):
        t = round(k * longest / (n_frames - 1))
        plot_area = bg.copy()
        dr = ImageDraw.Draw(plot_area)
        for i, r in enumerate(runs):
            color = _rgb(RUN_COLORS[i % len(RUN_COLORS)])
            pts = [px(float(p[0]), float(p[1])) for p in r.path[: t + 1]]
            pts = [(min(max(a, -clip), clip), min(max(b, -clip), clip)) for a, b in pts]
            if len(pts) > 1:
                dr.line(pts, fill=color, width=3, joint="curve")
            sx, sy = pts[0]
            dr.ellipse([sx - 5, sy - 5, sx + 5, sy + 5], fill=(255, 255, 255), outline=color,
                       width=2)  # fmt: skip
            ex, ey = pts[-1]
            dr.ellipse([ex - 4, ey - 4, ex + 4, ey + 4], fill=color)
        img = base.copy()
        img.paste(plot_area, (ox, oy))
        di = ImageDraw.Draw(img)
        di.rectangle([ox, oy, ox + aw, oy + ah], outline=(120, 120, 120))
        di.text((w - 110, 8), f"step {t}", fill=(26,) * 3, font=font)
        images.append(img)
    if ext in VIDEO_CODECS:
        return _write_video(path, images, float(fps), VIDEO_CODECS[ext])
    duration = [int(1000 / float(fps))] * n_frames
    duration[-1] = max(duration[-1], 1000)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration, loop=0,
                   optimize=False, format="GIF")  # fmt: skip
    return n_frames


def _write_video(path: str, images: list[Any], fps: float, codec: str) -> int:
    """Encode ``images`` (equal-sized RGB) with ffmpeg; returns the frames written.

    The last frame is repeated so that it holds for about a second, as in the GIF
    (a video cannot give one frame a longer duration). yuv420p, the pixel format
    players expect, needs even sides: an odd width or height loses its last pixel
    column or row rather than being rescaled.
    """
    ffmpeg = _ffmpeg()
    w, h = images[0].size
    w2, h2 = w - w % 2, h - h % 2
    hold = max(0, math.ceil(fps) - 1)
    frames = [*images, *[images[-1]] * hold]
    writer = ffmpeg.write_frames(
        path, (w2, h2), fps=fps, codec=codec, pix_fmt_out="yuv420p", macro_block_size=1,
        quality=None, bitrate=None, output_params=_CODEC_PARAMS[codec],
        ffmpeg_log_level="error",
    )  # fmt: skip
    writer.send(None)  # start the ffmpeg process
    try:
        for im in frames:
            writer.send(np.ascontiguousarray(np.asarray(im.convert("RGB"))[:h2, :w2]))
    finally:
        writer.close()
    return len(frames)
