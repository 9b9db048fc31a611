"""ballot: verifiable secret-ballot voting for city quality-award committees (市长质量奖评委会)."""

__version__ = "0.1.0"
