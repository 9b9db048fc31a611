"""Hypothesis properties of the engine and the crypto core."""
