"""FFmpeg's reading of a video (through PyAV): the independent check that a rewrite kept its media."""

import hashlib
from pathlib import Path


def packets_sha256(path: Path) -> tuple[str, int]:
    """A hash of every demuxed packet of every stream (FFmpeg's reading of the media data), and how many."""
    import av

    digest = hashlib.sha256()
    count = 0
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.size:
                digest.update(bytes(packet))
                count += 1
    return digest.hexdigest(), count
