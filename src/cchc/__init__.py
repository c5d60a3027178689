"""cchc: keep, check and total Vietnamese administrative-reform (CCHC) scorecards."""

__version__ = "0.1.0"
