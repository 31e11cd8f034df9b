"""gzip files of many lines written again after a small change, compressing only the part
that changed (the write worker's dumps: writes/fast.py).

The lines are cut into pieces at lines chosen by their content (a line whose CRC-32 ends in
:data:`CUT_BITS` zero bits ends a piece, and a piece holds at most :data:`MAX_LINES`
lines), so that a change of a few lines changes a few pieces and leaves the cuts elsewhere
where they were. Each piece is compressed on its own into deflate blocks ending in a full
flush (no back reference crosses it), and the pieces' blocks are joined into one ordinary
gzip member: one header, one deflate stream, one CRC-32 and size. Any gzip reader reads it;
its bytes depend only on the lines, so the same lines give the same file. A piece already
compressed for the previous file is taken from the cache, so a write compresses only the
pieces its change touched, at the build's level.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

#: a line whose CRC-32 has this many low zero bits ends a piece (about 2**CUT_BITS lines)
CUT_BITS = 9
#: the most lines of one piece (a run of lines with no cut)
MAX_LINES = 4096
#: the build's gzip level (version.write_gzip)
LEVEL = 6
#: gzip header: magic, deflate, no flags, mtime 0, no extra flags, unknown OS
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: the last deflate block: empty, fixed Huffman, final
_END = b"\x03\x00"


class GzipCache:
    """One gzip file written again and again (the pieces of the last write kept)."""

    def __init__(self, cut_bits: int = CUT_BITS) -> None:
        self.pieces: dict[bytes, bytes] = {}
        self.mask = (1 << cut_bits) - 1

    def _deflate(self, piece: bytes, kept: dict[bytes, bytes]) -> bytes:
        done = kept.get(piece)
        if done is None:
            done = self.pieces.get(piece)
        if done is None:
            z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            done = z.compress(piece) + z.flush(zlib.Z_FULL_FLUSH)
        kept[piece] = done
        return done

    def data(self, lines: Sequence[bytes], sep: bytes = b"\n") -> bytes:
        """The gzip file of ``lines``, each followed by ``sep`` (``sep`` empty: the lines
        end in their own newline)."""
        kept: dict[bytes, bytes] = {}
        body: list[bytes] = []
        crc = 0
        size = 0
        mask = self.mask
        cuts = [i + 1 for i, c in enumerate(map(zlib.crc32, lines)) if not c & mask]
        if not cuts or cuts[-1] != len(lines):
            cuts.append(len(lines))
        start = 0
        for cut in cuts:
            while start < cut:
                end = min(cut, start + MAX_LINES)
                piece = sep.join(lines[start:end]) + sep
                start = end
                crc = zlib.crc32(piece, crc)
                size += len(piece)
                body.append(self._deflate(piece, kept))
        self.pieces = kept
        return b"".join([_HEADER, *body, _END,
                         struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)])

    def write(self, path: Path, lines: Sequence[bytes], sep: bytes = b"\n") -> None:
        path.write_bytes(self.data(lines, sep))


__all__ = ["CUT_BITS", "LEVEL", "MAX_LINES", "GzipCache"]
