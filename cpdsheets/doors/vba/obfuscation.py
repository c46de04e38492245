"""MS-OVBA 2.4.3 data encryption, used by the PROJECT stream's CMG, DPB and GC properties.

It is an obfuscation keyed by the project id, not security; Office refuses a PROJECT stream whose
protection values do not decrypt. The seed is a parameter so builds are reproducible.
"""

from __future__ import annotations

_VERSION = 2


def project_key(project_id: str) -> int:
    """Sum of the bytes of the project id text, e.g. '{GUID}', modulo 256."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(data: bytes, project_id: str, seed: int) -> str:
    """Hex text (upper case) of data encrypted per 2.4.3.2."""
    key = project_key(project_id)
    seed &= 0xFF
    version_enc = seed ^ _VERSION
    key_enc = seed ^ key
    out = bytearray([seed, version_enc, key_enc])
    unencrypted_1 = key
    encrypted_1 = key_enc
    encrypted_2 = version_enc
    ignored = (seed & 6) // 2
    plain = bytes([0] * ignored) + len(data).to_bytes(4, "little") + data
    for byte in plain:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """Data bytes from the hex text of an encrypted property (2.4.3.3)."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != _VERSION:
        raise ValueError("encrypted property has the wrong version")
    key = seed ^ key_enc
    unencrypted_1, encrypted_1, encrypted_2 = key, key_enc, version_enc
    plain = bytearray()
    for byte_enc in raw[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    data = bytes(plain[ignored + 4 : ignored + 4 + length])
    if len(data) != length:
        raise ValueError("encrypted property is truncated")
    return data
