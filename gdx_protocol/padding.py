"""Padding of sealed plaintexts to size buckets, so ciphertext length tells the hub nothing.

Without it a found person record sealed to about 2,050 bytes and a "not found" to about
1,600, so the hub learned the answer without decrypting. Every sealed plaintext is now
``data || 0x80 || 0x00...`` (ISO/IEC 7816-4 padding) up to the smallest bucket that holds
it: subjects to :data:`SUBJECT_BUCKET` bytes, response payloads to a step of
:data:`RESPONSE_BUCKETS` (then whole MiB). Found and not found, and documents of
different sizes within a bucket, therefore seal to the same length (threat T6 in
docs/gdx-threat-model.md). The padding is inside the AEAD, so it cannot be altered.
"""

from __future__ import annotations

from .errors import MalformedError

SUBJECT_BUCKET = 32
# 4 KiB holds every sample document type with an Ed25519 inner signature (ML-DSA-65's
# 3,309-byte signature moves it to 8 KiB);
# larger documents step up in powers of two, then in whole MiB.
RESPONSE_BUCKETS = (4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1 << 20)
_MIB = 1 << 20


def bucket_for(length: int, buckets: tuple[int, ...] = RESPONSE_BUCKETS) -> int:
    """The padded size of ``length`` bytes of data (one byte is always added)."""
    need = length + 1
    for size in buckets:
        if need <= size:
            return size
    return -(-need // _MIB) * _MIB


def pad(data: bytes, size: int) -> bytes:
    if len(data) + 1 > size:
        raise MalformedError("plaintext larger than its padding bucket")
    return data + b"\x80" + bytes(size - len(data) - 1)


def pad_to_bucket(data: bytes, buckets: tuple[int, ...] = RESPONSE_BUCKETS) -> bytes:
    return pad(data, bucket_for(len(data), buckets))


def unpad(data: bytes) -> bytes:
    end = len(data.rstrip(b"\x00"))
    if end == 0 or data[end - 1] != 0x80:
        raise MalformedError("bad plaintext padding")
    return data[: end - 1]
