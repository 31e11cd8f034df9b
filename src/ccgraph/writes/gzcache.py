"""gzip files of many lines written again after a small change, compressing only the part
that changed (the write worker's dumps: writes/fast.py).

Sorted lines (the N-Triples and N-Quads dumps) are cut before kept key lines, found by
bisection, so a change of a few lines changes the pieces around them only; other lines
(the framed cities, the VoID graph's lines) are cut by content, as follows.

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

import bisect
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
        self.keys: list[bytes] | None = None  # ordered files: the first lines of pieces

    def _deflate(self, piece: bytes, kept: dict[bytes, bytes]) -> bytes:
        done = kept.get(piece)
        if done is None:
            done = self.pieces.get(piece)
        if done is None:
            z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            done = z.compress(piece) + z.flush(zlib.Z_FULL_FLUSH)
        kept[piece] = done
        return done

    def _content_cuts(self, lines: Sequence[bytes]) -> list[int]:
        cuts = [i + 1 for i, c in enumerate(map(zlib.crc32, lines)) if not c & self.mask]
        if not cuts or cuts[-1] != len(lines):
            cuts.append(len(lines))
        return cuts

    def _key_cuts(self, lines: Sequence[bytes]) -> list[int]:
        """Cuts of sorted ``lines`` before the lines kept as keys (a few bisections instead
        of a look at every line); a piece that grew too long gets new keys."""
        step = 1 << (self.mask.bit_length())
        if self.keys is None:
            self.keys = [lines[i] for i in range(step, len(lines), step)]
        bounds = sorted({len(lines), *(bisect.bisect_left(lines, k) for k in self.keys)})
        cuts: list[int] = []
        start = 0
        for bound in bounds:
            while bound - start > MAX_LINES:
                start += step
                bisect.insort(self.keys, lines[start])
                cuts.append(start)
            if bound > start:
                cuts.append(bound)
                start = bound
        return cuts or [0]

    def data(self, lines: Sequence[bytes], sep: bytes = b"\n", *, ordered: bool = False,
             tail: Sequence[bytes] = ()) -> bytes:
        """The gzip file of ``lines`` then ``tail``, each line followed by ``sep`` (``sep``
        empty: the lines end in their own newline). ``ordered``: ``lines`` are sorted, and
        cut where the last files were (keys kept) rather than where their content says."""
        kept: dict[bytes, bytes] = {}
        body: list[bytes] = []
        crc = 0
        size = 0
        for run, cuts in ((lines, self._key_cuts(lines) if ordered else
                           self._content_cuts(lines)),
                          (tail, self._content_cuts(tail) if tail else [0])):
            start = 0
            for cut in cuts:
                while start < cut:
                    end = min(cut, start + MAX_LINES)
                    piece = sep.join(run[start:end]) + sep
                    start = end
                    crc = zlib.crc32(piece, crc)
                    size += len(piece)
                    body.append(self._deflate(piece, kept))
        self.pieces = kept
        return b"".join([_HEADER, *body, _END,
                         struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)])

    def write(self, path: Path, lines: Sequence[bytes], sep: bytes = b"\n", *,
              ordered: bool = False, tail: Sequence[bytes] = ()) -> None:
        path.write_bytes(self.data(lines, sep, ordered=ordered, tail=tail))


__all__ = ["CUT_BITS", "LEVEL", "MAX_LINES", "GzipCache"]
