"""Cryptographic primitives (密码学原语): pure functions over the ElectionGuard 4096-bit group.

Nothing here does I/O or reads the clock; randomness comes from an injected source. Only the
service layer composes these primitives into protocol steps (see docs/PROTOCOL.md).
"""
