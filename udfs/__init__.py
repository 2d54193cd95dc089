"""Worksheet functions (installed as ``arxl.udfs``)."""
