"""Writing video files with PyAV: SYNTHETIC's clips, and the clips the tests and benchmarks encode.

PyAV is imported by write_video, so that importing pipeline.data.synthetic (its SIZES name the choices of a task
parameter) does not load it at `import tasks`."""
from pathlib import Path

import numpy as np

# codec name → (the encoder, the fourcc written into the container; None: the encoder's own)
ALIASES = {"xvid": ("mpeg4", "XVID")}


def write_video(path, frames: np.ndarray, fps: int = 25, codec: str = "mpeg4", pix_fmt: str = "yuv420p",
                bit_rate: int | None = 2_000_000, **options) -> None:
    """Encode `frames`, (T, H, W, 3) uint8 RGB, as one video stream at `fps` frames per second into `path`.

    The container follows `path`'s suffix (.avi, .mp4, .mkv…). `codec` names an FFmpeg encoder ("mpeg4":
    MPEG-4 Part 2, as UCF101 and HMDB51 ship; "libx264"; "ffv1"; "mjpeg"…) or "xvid" (the mpeg4 encoder with
    the fourcc XVID). Each RGB frame is converted to `pix_fmt` by the encoder. `bit_rate` in bit/s; None leaves
    the encoder's own rate control (x264's CRF, say). `options` are the encoder's private options, e.g.
    `bf=2` (B-frames: decode order ≠ presentation order), `g=8` (GOP length), `preset="veryfast"`, `crf=23`.
    Encoding is single-threaded, so that the files are byte-identical for a seed (SYNTHETIC's data).
    """
    import av
    encoder, tag = ALIASES.get(codec, (codec, None))
    with av.open(str(Path(path)), "w") as container:
        stream = container.add_stream(encoder, rate=fps, options={k: str(v) for k, v in options.items()})
        if tag:
            stream.codec_tag = tag
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], pix_fmt
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        stream.thread_count = 1          # single-threaded encoding: byte-identical files for a seed
        for f in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        container.mux(stream.encode())
