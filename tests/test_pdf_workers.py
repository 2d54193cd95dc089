"""PDFs from several LibreOffice at once (issue 15): the same invoices as one LibreOffice makes, a file that
cannot be converted named while the others are written, one private profile per worker removed after, and
every output checked to be a whole PDF with pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from arxl.app import invoicing
from arxl.formats.libreoffice import (
    ConversionFailed,
    LibreOffice,
    LibreOfficeError,
    balanced_batches,
    default_workers,
    find_soffice,
)
from arxl.formats.libreoffice import pdf_pages as pages_of
from arxl.formats.xlsx.host import FileHost
from arxl.sample import write_sample
from tests.conftest import need_tool
from tests.test_libreoffice import billing_book


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def office_found() -> None:
    need_tool(find_soffice() is not None, "LibreOffice is not installed")


@pytest.mark.libreoffice
def test_two_workers_print_the_samples_invoices_as_one_does(office_found: None, tmp_path: Path) -> None:
    need_tool(shutil.which("pdftotext") is not None, "pdftotext is not installed: apt-get install poppler-utils")
    book, _ = write_sample(tmp_path / "billing.xlsx")
    invoicing.generate_invoices(FileHost(book), "2025-07", tmp_path / "xlsx")
    sources = sorted((tmp_path / "xlsx").glob("INV-*.xlsx"))
    assert len(sources) == 69
    with LibreOffice(workers=1) as one:
        alone = one.to_pdf(sources, tmp_path / "one")
    counted: list[int] = []
    with LibreOffice(workers=2) as two:
        paired = two.to_pdf(sources, tmp_path / "two", counted.append)
        assert len(two.profiles) == 2
    assert [p.name for p in paired] == [p.name for p in alone] == [f"{s.stem}.pdf" for s in sources]
    assert sum(counted) == 69
    for first, second in zip(alone, paired, strict=True):
        assert pages_of(second) == pages_of(first) >= 1, second.name
        assert _text(second) == _text(first), second.name
    # the invoice number and its total are on the page, not just any text
    assert "INV-2025-" in _text(paired[0])


@pytest.mark.libreoffice
def test_a_file_libreoffice_cannot_convert_is_named_and_the_others_are_written(office_found: None,
                                                                              tmp_path: Path) -> None:
    goods = [billing_book(tmp_path / f"good{n}.xlsx") for n in range(4)]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with LibreOffice(workers=2) as office, pytest.raises(ConversionFailed) as caught:
        office.to_pdf([goods[0], goods[1], broken, goods[2], goods[3]], tmp_path / "pdf")
    message = str(caught.value)
    assert "broken.xlsx" in message and "good" not in message
    for good in goods:
        assert pages_of(tmp_path / "pdf" / f"{good.stem}.pdf") >= 1
    assert not (tmp_path / "pdf" / "broken.pdf").exists()


@pytest.mark.libreoffice
def test_each_worker_has_its_own_profile_removed_after(office_found: None, tmp_path: Path) -> None:
    sources = [billing_book(tmp_path / f"book{n}.xlsx") for n in range(4)]
    with LibreOffice(workers=2) as office:
        office.to_pdf(sources, tmp_path / "pdf")
        profiles = office.profiles
        assert len(profiles) == 2 and profiles[0] != profiles[1]
        assert not profiles[0].is_relative_to(profiles[1]) and not profiles[1].is_relative_to(profiles[0])
        for profile in profiles:  # both were used by a LibreOffice of their own: it wrote more than our setting
            assert len(list((profile / "user").rglob("*"))) > 1, profile
    assert not any(profile.exists() for profile in profiles)


def test_batches_are_balanced_by_size_and_keep_the_order(tmp_path: Path) -> None:
    sources = []
    for n, size in enumerate([900, 100, 100, 100, 500, 400, 100, 100]):
        path = tmp_path / f"f{n}.xlsx"
        path.write_bytes(b"x" * size)
        sources.append(path)
    batches = balanced_batches(sources, 2)
    assert len(batches) == 2
    assert sorted(p for batch in batches for p in batch) == sorted(sources)
    assert [sum(p.stat().st_size for p in batch) for batch in batches] == [1200, 1100]  # of 2,300
    assert all(batch == sorted(batch, key=sources.index) for batch in batches)
    small = balanced_batches(sources, 2, limit=3)
    assert len(small) == 4 and all(len(batch) <= 3 for batch in small)
    assert balanced_batches(sources[:1], 2) == [[sources[0]]]


def test_only_a_whole_pdf_with_pages_counts(tmp_path: Path) -> None:
    page = b"%PDF-1.6\n1 0 obj <</Type /Pages /Kids [2 0 R] /Count 1>> endobj\n2 0 obj <</Type /Page>> endobj\n"
    whole, cut, empty, other = (tmp_path / n for n in ("whole.pdf", "cut.pdf", "empty.pdf", "other.pdf"))
    whole.write_bytes(page + b"trailer\n%%EOF\n")
    cut.write_bytes(page)  # the end of the file never written
    empty.write_bytes(b"%PDF-1.6\n1 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n%%EOF\n")
    other.write_bytes(b"PK\x03\x04" + page + b"%%EOF")
    assert [pages_of(p) for p in (whole, cut, empty, other, tmp_path / "absent.pdf")] == [1, 0, 0, 0, 0]


def test_workers_default_to_the_setting_or_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXL_PDF_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("ARXL_PDF_WORKERS", "many")
    with pytest.raises(LibreOfficeError, match="ARXL_PDF_WORKERS"):
        default_workers()
    monkeypatch.delenv("ARXL_PDF_WORKERS")
    assert default_workers() >= 1
