"""Cryptographic primitives (密码学原语): pure functions over the ElectionGuard 4096-bit group.

Nothing here does I/O or reads the clock. Every secret scalar, salt, nonce and new key comes
from an injected `RandomSource` (`secrets` in production, a seeded source for vectors), with
two exceptions left to pyca/cryptography, which we must not rewrite: the primes of the RSA
issuer key (`blind_rsa.generate_issuer_key`) and the ECDSA signing nonce (`signature`), both
from the operating system's generator. Group elements are `group.Element`, scalars
`group.Scalar`; the type checker follows them (`mypy --strict`). Only the service layer
composes these primitives into protocol steps (see docs/PROTOCOL.md).
"""
