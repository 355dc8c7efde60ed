"""Sealing: authenticated encryption from the standard library, for load-cache entries that hold a secret.

The key comes from the bytes of the spec file the entry was made from, and is never stored: the cache
opens an entry only while that file is unchanged, and the cache alone (a copied `.dhsync/`, a CI artifact)
discloses nothing. Anyone who can read the spec file can read the secret anyway.

The construction, encrypt-then-MAC with separate keys:
- file key = BLAKE2b-256 of the file's bytes, keyed by the cache's salt (never the content key the cache
  stores, which is keyed differently);
- encryption and MAC keys = BLAKE2b of the file key under two different personalisations;
- a fresh random 16-byte nonce for every sealing;
- keystream = SHAKE-256(encryption key ‖ nonce), as long as the plaintext, XORed with it. Keccak has no
  length extension, so a key-prefixed SHAKE is a pseudo-random function (KMAC is built the same way);
  HMAC-SHA256 in counter mode would do as well but measured 25x slower (140 µs for a 2.5 kB entry);
- tag = HMAC-SHA256(MAC key, version ‖ nonce ‖ ciphertext), compared in constant time before anything is
  decrypted; a wrong key, an edited file or a changed byte all read as "does not open".

Like any content-derived key, it lets someone who guesses the whole file confirm the guess: the same holds
for the content hash the cache keys entries by, and for the file's git blob id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_VERSION = b"\x01"
_NONCE = 16
_TAG = 32


Keys = tuple[bytes, bytes]  # (encryption key, MAC key)


def file_keys(data: bytes, salt: str) -> Keys:
    """The keys of what is sealed for a file with these bytes."""
    key = hashlib.blake2b(data, digest_size=32, key=b"dhsync-seal\0" + salt.encode()[:48]).digest()
    return (hashlib.blake2b(key, digest_size=32, person=b"dhsync-encrypt").digest(),
            hashlib.blake2b(key, digest_size=32, person=b"dhsync-mac").digest())


def _xor(data: bytes, key: bytes, nonce: bytes) -> bytes:
    stream = hashlib.shake_256(key + nonce).digest(len(data))
    # as whole integers: one C-speed XOR instead of a Python loop over bytes; `to_bytes(len)` keeps the
    # leading zero bytes, so the length is exact
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def _tag(mac_key: bytes, nonce: bytes, cipher: bytes) -> bytes:
    return hmac.new(mac_key, _VERSION + nonce + cipher, hashlib.sha256).digest()


def seal(plain: bytes, keys: Keys) -> str:
    """`plain` encrypted and authenticated under `keys`, as ASCII (for a JSON file)."""
    enc_key, mac_key = keys
    nonce = os.urandom(_NONCE)
    cipher = _xor(plain, enc_key, nonce)
    return base64.b64encode(_VERSION + nonce + _tag(mac_key, nonce, cipher) + cipher).decode()


def open_sealed(sealed: str, keys: Keys) -> bytes | None:
    """What `seal` was given, or None when `keys` are not its keys or a byte of it changed."""
    try:
        raw = base64.b64decode(sealed, validate=True)
    except ValueError:
        return None
    head = len(_VERSION) + _NONCE + _TAG
    if len(raw) < head or raw[:1] != _VERSION:
        return None
    nonce, tag, cipher = raw[1:1 + _NONCE], raw[1 + _NONCE:head], raw[head:]
    enc_key, mac_key = keys
    if not hmac.compare_digest(tag, _tag(mac_key, nonce, cipher)):
        return None
    return _xor(cipher, enc_key, nonce)
