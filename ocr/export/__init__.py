"""Exports: the archive in the formats readers and library systems take."""
