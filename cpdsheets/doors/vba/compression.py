"""MS-OVBA 2.4.1 compression: the LZ77 variant that VBA uses for dir and module streams.

A CompressedContainer is a signature byte 0x01 followed by chunks; each chunk holds up to 4096
decompressed bytes. A copy token's split between offset and length bits depends on how far into
the chunk the decoder is, so offsets never reach back before the chunk start.
"""

from __future__ import annotations

CHUNK_SIZE = 4096
_SIGNATURE = 0x01
_MIN_MATCH = 3
# Bounds the search per position; text matches are found within a few candidates, and a longer
# chain only costs time on highly repetitive input where the nearest candidate already wins.
_MAX_CHAIN = 48


class DecompressionError(ValueError):
    """The bytes are not a valid MS-OVBA CompressedContainer."""


def _bit_count(position_in_chunk: int) -> int:
    """Offset bits of a copy token at this decompressed position (CopyTokenHelp, 2.4.1.3.19.1)."""
    return max((position_in_chunk - 1).bit_length(), 4)


def _match_length(data: bytes, candidate: int, current: int, limit: int) -> int:
    """Common prefix length of data[candidate:] and data[current:], at most limit bytes."""
    length = 0
    step = 32
    while length < limit:
        span = min(step, limit - length)
        if data[candidate + length : candidate + length + span] == data[current + length : current + length + span]:
            length += span
            continue
        if span == 1:
            break
        step = max(1, span // 4)
    return length


def _compress_tokens(chunk: bytes) -> bytes:
    """Token sequences (flag byte + up to 8 tokens) for one decompressed chunk."""
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    end = len(chunk)
    pos = 0
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len = 0
            best_cand = -1
            if pos + _MIN_MATCH <= end:
                bits = _bit_count(pos)
                max_len = (0xFFFF >> bits) + _MIN_MATCH
                limit = min(max_len, end - pos)
                key = chunk[pos : pos + _MIN_MATCH]
                for cand in reversed(heads.get(key, ())[-_MAX_CHAIN:]):
                    length = _match_length(chunk, cand, pos, limit)
                    if length > best_len:
                        best_len, best_cand = length, cand
                        if length == limit:
                            break
            if best_len >= _MIN_MATCH:
                bits = _bit_count(pos)
                token = ((pos - best_cand - 1) << (16 - bits)) | (best_len - _MIN_MATCH)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                advance = best_len
            else:
                out.append(chunk[pos])
                advance = 1
            for p in range(pos, min(pos + advance, end - _MIN_MATCH + 1)):
                heads.setdefault(chunk[p : p + _MIN_MATCH], []).append(p)
            pos += advance
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress data into an MS-OVBA CompressedContainer."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        tokens = _compress_tokens(chunk)
        if len(tokens) <= CHUNK_SIZE:
            header = 0x8000 | 0x3000 | (len(tokens) + 2 - 3)
            out += header.to_bytes(2, "little") + tokens
        else:
            # A raw chunk always carries exactly 4096 bytes (2.4.1.3.10), so a short final chunk
            # is zero padded; source text always compresses, so this only affects binary noise.
            header = 0x3000 | (CHUNK_SIZE + 2 - 3)
            out += header.to_bytes(2, "little") + chunk.ljust(CHUNK_SIZE, b"\x00")
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1)."""
    if not container or container[0] != _SIGNATURE:
        raise DecompressionError("compressed container does not start with signature byte 0x01")
    out = bytearray()
    pos = 1
    total = len(container)
    while pos < total:
        if pos + 2 > total:
            raise DecompressionError(f"truncated chunk header at byte {pos}")
        header = int.from_bytes(container[pos : pos + 2], "little")
        if (header >> 12) & 0b111 != 0b011:
            raise DecompressionError(f"bad chunk signature at byte {pos}")
        chunk_end = min(total, pos + (header & 0x0FFF) + 3)
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            if chunk_end - pos != CHUNK_SIZE:
                raise DecompressionError(f"raw chunk at byte {pos - 2} is not {CHUNK_SIZE} bytes")
            out += container[pos:chunk_end]
            pos = chunk_end
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise DecompressionError(f"truncated copy token at byte {pos}")
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                bits = _bit_count(len(out) - chunk_start)
                length = (token & (0xFFFF >> bits)) + _MIN_MATCH
                offset = (token >> (16 - bits)) + 1
                source = len(out) - offset
                if source < chunk_start:
                    raise DecompressionError(f"copy token reaches before its chunk at byte {pos - 2}")
                if offset >= length:
                    out += out[source : source + length]
                else:
                    for i in range(length):
                        out.append(out[source + i])
    return bytes(out)
