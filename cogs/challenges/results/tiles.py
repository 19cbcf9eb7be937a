"""A film's thumbnail as the podium's 16:9 tile, decoded with Pillow as untrusted input: only the common
web picture formats, nothing larger than MAX_PIXELS (a decompression bomb says it is huge in its header,
which is read before any pixel), and any decoder error (a truncated or malformed file, a page that is no
picture at all) is a missing tile, never a failed close."""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageOps

log = logging.getLogger(__name__)
TILE = (256, 144)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 4096 * 4096  # beyond any video thumbnail; Pillow's own bomb limit is about five times this


def tile_of(data: bytes) -> Image.Image | None:
    """The picture scaled and centre-cropped to TILE, in RGB; None when it cannot be read safely."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                log.info("challenges: a thumbnail of %sx%s pixels is not decoded", image.width, image.height)
                return None
            image.draft("RGB", (TILE[0] * 2, TILE[1] * 2))  # a JPEG decodes at a reduced scale: less work
            return ImageOps.fit(image.convert("RGB"), TILE, Image.Resampling.LANCZOS)
    except Exception as exc:  # Pillow's decoders raise many kinds of error on hostile input; all mean "no tile"
        log.info("challenges: a thumbnail could not be decoded: %s: %s", type(exc).__name__, exc)
        return None
