# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Does this image open?  Its pixels are counted from its header before
any is decoded (a PNG of a few kilobytes may declare 100 megapixels),
and it is read in a child process of bounded memory and time."""
import io

from . import sandbox
from .file_limits import LimitExceeded, check_pixels, limits

__all__ = ['ImageProblem', 'inspect_image']


class ImageProblem(ValueError):
    "Why an image does not open: reason is 'unsupported' or 'broken'"

    def __init__(self, reason, detail=''):
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def _frames(data, expected, current):
    from PIL import Image, UnidentifiedImageError
    # Pillow's own guard (a warning, then an error at twice the limit)
    # stays behind ours, which refuses before anything is decoded
    Image.MAX_IMAGE_PIXELS = current.image_max_pixels
    try:
        with Image.open(io.BytesIO(data)) as image:
            if expected and image.format != expected:
                raise ImageProblem('unsupported', image.format or '')
            frames = getattr(image, 'n_frames', 1)
            for frame in range(frames):
                image.seek(frame)
                check_pixels(*image.size, current=current)
                image.load()
    except (ImageProblem, LimitExceeded):
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            EOFError, Image.DecompressionBombError) as exception:
        raise ImageProblem('broken', str(exception)) from exception
    return frames


def inspect_image(data, expected=None, current=None):
    """Return the number of frames of an image from outside (a TIFF may
    hold several pages) once every frame is decoded

    expected: the Pillow format the image must be ('PNG', 'JPEG', ...).
    :raises ImageProblem: the image does not open or is not as expected.
    :raises LimitExceeded: too many pixels, or its reading needs more
        memory or time than the sandbox gives.
    """
    current = current or limits()
    try:
        return sandbox.run(_frames, bytes(data or b''), expected, current,
            memory_mb=current.sandbox_memory_mb,
            timeout=current.sandbox_timeout)
    except sandbox.SandboxError as error:
        raise ImageProblem('broken', str(error)) from error
