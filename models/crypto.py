"""Encryption at rest for secrets stored in the database (Fernet, with key rotation)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class EncryptionKeyError(ValueError):
    """TOKEN_ENCRYPTION_KEY is missing or not a Fernet key."""


class TokenDecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


class TokenCipher:
    """Encrypts with the first key; decrypts with any (newest first), so keys can rotate."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise EncryptionKeyError("TOKEN_ENCRYPTION_KEY is empty")
        try:
            self._fernet = MultiFernet([Fernet(k) for k in parts])
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                "TOKEN_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes); "
                "create one with `sightline generate-key`"
            ) from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise TokenDecryptionError(
                "a stored token cannot be decrypted with TOKEN_ENCRYPTION_KEY "
                "(was a key rotated out too early?)"
            ) from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the newest key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


_cipher: TokenCipher | None = None


def configure_cipher(keys: str) -> TokenCipher:
    """Install the process-wide cipher used by EncryptedTextField."""
    global _cipher
    _cipher = TokenCipher(keys)
    return _cipher


def get_cipher() -> TokenCipher:
    if _cipher is None:
        raise EncryptionKeyError("token encryption is not configured (call configure_cipher)")
    return _cipher


def generate_key() -> str:
    return Fernet.generate_key().decode()
