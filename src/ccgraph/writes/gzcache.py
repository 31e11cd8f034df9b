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


#: CRC-32 (zlib's, bits reflected): the polynomial, and x to the power 2**k modulo it
_POLY = 0xEDB88320
_X2N: list[int] = []


def _mult(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial (reflected: bit 31 is x**0)."""
    m = 1 << 31
    p = 0
    while a:
        if a & m:
            p ^= b
            a ^= m
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _x8n(n: int) -> int:
    """x to the power 8*n modulo the polynomial (the shift of a CRC past n bytes)."""
    if not _X2N:
        _X2N.append(1 << 30)  # x**1
        for _ in range(31):
            _X2N.append(_mult(_X2N[-1], _X2N[-1]))
    p = 1 << 31  # x**0
    k = 3
    while n:
        if n & 1:
            p = _mult(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, len2: int, shifts: dict[int, int] | None = None
                  ) -> int:
    """The CRC-32 of A+B from the CRC-32 of A, of B and B's length (zlib's
    crc32_combine): a piece kept from the last file adds its CRC without being read
    again. ``shifts``: kept shifts by length (pieces keep their lengths)."""
    shift = shifts.get(len2) if shifts is not None else None
    if shift is None:
        shift = _x8n(len2)
        if shifts is not None:
            shifts[len2] = shift
    return _mult(shift, crc1) ^ crc2


class GzipCache:
    """One gzip file written again and again (the pieces of the last write kept, by their
    lines: a piece whose lines are the same objects as last time is not joined, checked or
    compressed again)."""

    def __init__(self, cut_bits: int = CUT_BITS) -> None:
        #: (separator, lines) -> the piece compressed, its CRC-32 and its length
        self.pieces: dict[tuple[bytes, tuple[bytes, ...]], tuple[bytes, int, int]] = {}
        self.mask = (1 << cut_bits) - 1
        self.keys: list[bytes] | None = None  # ordered files: the first lines of pieces
        self.shifts: dict[int, int] = {}

    def _piece(self, key: tuple[bytes, tuple[bytes, ...]],
               kept: dict[tuple[bytes, tuple[bytes, ...]], tuple[bytes, int, int]]
               ) -> tuple[bytes, int, int]:
        done = kept.get(key)
        if done is None:
            done = self.pieces.get(key)
        if done is None:
            sep, lines = key
            piece = sep.join(lines) + sep
            z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            done = (z.compress(piece) + z.flush(zlib.Z_FULL_FLUSH), zlib.crc32(piece),
                    len(piece))
        kept[key] = done
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
        kept: dict[tuple[bytes, tuple[bytes, ...]], tuple[bytes, int, int]] = {}
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
                    deflated, piece_crc, length = self._piece((sep, tuple(run[start:end])),
                                                              kept)
                    start = end
                    crc = crc32_combine(crc, piece_crc, length, self.shifts)
                    size += length
                    body.append(deflated)
        self.pieces = kept
        if len(self.shifts) > 4 * len(kept) + 1024:
            self.shifts.clear()
        return b"".join([_HEADER, *body, _END,
                         struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)])

    def write(self, path: Path, lines: Sequence[bytes], sep: bytes = b"\n", *,
              ordered: bool = False, tail: Sequence[bytes] = ()) -> None:
        path.write_bytes(self.data(lines, sep, ordered=ordered, tail=tail))


__all__ = ["CUT_BITS", "LEVEL", "MAX_LINES", "GzipCache", "crc32_combine"]
