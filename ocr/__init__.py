"""Digitize newspaper back issues: scans in, a searchable, corrected archive out."""

__version__ = "0.1.0"
