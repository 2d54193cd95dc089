"""What an add-in records about its own build: the arxl and xlwings it was built with.

The add-in carries two versions that must agree with the Python that Excel runs: arxl's, because the ribbon
calls macros by name (a button the installed arxl does not know is a broken button), and xlwings', because its
VBA module loads ``xlwings64-<version>.dll``, the DLL of the xlwings package of that same version. The build
writes both as custom document properties (``docProps/custom.xml``, ECMA-376 Part 1 §22.3, shown by Excel
under File > Info > Properties), and ``arxl addin doctor`` reads them back.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from arxl.core.errors import ArxlError

PART = "docProps/custom.xml"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
ARXL = "arxl version"
XLWINGS = "xlwings version"
_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every user-defined property carries


def build_stamp() -> dict[str, str]:
    """The versions of the arxl and xlwings building an add-in now."""
    import xlwings

    from arxl import __version__

    return {ARXL: __version__, XLWINGS: str(xlwings.__version__)}


def custom_properties(stamp: Mapping[str, str]) -> bytes:
    """The ``docProps/custom.xml`` part holding ``stamp`` as text properties (pid 2 onwards, as Office numbers)."""
    properties = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(stamp.items(), start=2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_NS}" xmlns:vt="{_VT}">{properties}</Properties>').encode()


def read_stamp(addin: Path) -> dict[str, str]:
    """The text properties of an add-in's ``docProps/custom.xml`` (empty for an add-in built without them)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(addin) as package:
            if PART not in package.namelist():
                return {}
            root = ElementTree.fromstring(package.read(PART))
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArxlError(f"{addin}: not an add-in package ({exc})") from None
    except Exception as exc:  # defusedxml's own errors next to ParseError
        raise ArxlError(f"{addin}, {PART}: not well-formed XML ({exc})") from None
    return {str(p.get("name")): "".join(p.itertext()) for p in root.iter(f"{{{_NS}}}property")}
