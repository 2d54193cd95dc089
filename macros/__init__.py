"""Ribbon macros (installed as ``arxl.macros``)."""
