"""Preview a generated PDF (QtPdf), print it through the Qt print dialog, or save it.

With no printer installed, ``QPrinterInfo.availablePrinters()`` is empty and a
``QPrinter`` silently becomes a PDF printer with no file: printing would
produce nothing and say nothing. :class:`PdfPrinter` checks first and says
plainly that no printer is installed; preview and Save as PDF still work.

Every modal step sits behind a method tests replace: ``PdfPrinter.ask_print_dialog``
(the QPrintDialog), ``PdfPreview.ask_save_path`` (the file dialog) and
:class:`sijdesk.ui.errors.Messages` for messages.

Signals of :class:`PdfPreview`:
    printed(str): the document was sent to the named printer.
    saved(str): the document was saved to the given path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError
from sijdesk.ui.errors import Messages
from sijdesk.ui.sizing import resize_to_fit

log = logging.getLogger(__name__)

NO_PRINTER = (
    "No printer is installed on this computer, so nothing was printed.\n\n"
    "Use “Save as PDF…” to keep the document and print it from another computer, "
    "or ask your administrator to install a printer."
)
MAX_PRINT_DPI = 300


def load_pdf(document: QPdfDocument, pdf: bytes, parent) -> QBuffer:
    """Load PDF bytes into ``document``; the returned buffer must stay alive with it."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return buffer


class PdfPrinter:
    """Prints PDF bytes through Qt; the print dialog is one replaceable method."""

    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    @staticmethod
    def printers_available() -> bool:
        return bool(QPrinterInfo.availablePrinters())

    def ask_print_dialog(self, printer: QPrinter) -> bool:
        """Show the Qt print dialog for ``printer``; True when the user chose Print."""
        dialog = QPrintDialog(printer, self.parent)
        dialog.setWindowTitle("Print")
        return dialog.exec() == QDialog.DialogCode.Accepted

    def print_pdf(self, pdf: bytes, title: str, *, printer: QPrinter | None = None) -> str | None:
        """Print ``pdf``; the printer's name when it was sent, None when not printed."""
        if printer is None and not self.printers_available():
            Messages.info(self.parent, "No printer", NO_PRINTER)
            return None
        holder = QWidget() if self.parent is None else self.parent
        document = QPdfDocument(holder)
        buffer = load_pdf(document, pdf, holder)
        try:
            if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
                raise UserError("The document could not be read for printing.")
            if printer is None:
                printer = QPrinter(QPrinter.PrinterMode.HighResolution)
                first = document.pagePointSize(0)
                printer.setPageSize(QPageSize(first, QPageSize.Unit.Point, "Document"))
                printer.setPageOrientation(QPageLayout.Orientation.Portrait)
                printer.setFullPage(True)
                printer.setColorMode(QPrinter.ColorMode.Color)
                printer.setDocName(title)
                printer.setFromTo(1, document.pageCount())
                if not self.ask_print_dialog(printer):
                    return None
            render_pages(document, printer)
            return printer.printerName() or printer.outputFileName() or "printer"
        finally:
            document.close()
            buffer.close()
            if holder is not self.parent:
                holder.deleteLater()


def render_pages(document: QPdfDocument, printer: QPrinter) -> None:
    """Paint the chosen pages of ``document`` onto ``printer``, one per sheet."""
    count = document.pageCount()
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 or last <= 0:
        first, last = 1, count
    last = min(last, count)
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("The printer could not be opened. Check that it is switched on.")
    try:
        for number in range(first, last + 1):
            if number > first:
                printer.newPage()
            points = document.pagePointSize(number - 1)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(number - 1, size)
            target = QRectF(painter.viewport())
            scale = min(target.width() / size.width(), target.height() / size.height())
            width, height = size.width() * scale, size.height() * scale
            painter.drawImage(QRectF(target.x(), target.y(), width, height), image)
    finally:
        painter.end()


class PdfPreview(QDialog):
    """A generated document on screen, with Print… and Save as PDF…."""

    printed = Signal(str)
    saved = Signal(str)

    def __init__(
        self,
        pdf: bytes,
        title: str,
        *,
        file_name: str = "document.pdf",
        parent: QWidget | None = None,
        printer: PdfPrinter | None = None,
        on_printed: Callable[[str], object] | None = None,
    ):
        super().__init__(parent)
        self.pdf = pdf
        self.title = title
        self.file_name = file_name
        self.printer = printer or PdfPrinter(self)
        if on_printed is not None:
            self.printed.connect(on_printed)
        self.setWindowTitle(title)
        self.setObjectName("pdfPreview")
        resize_to_fit(self, 760, 900)

        self.document = QPdfDocument(self)
        self._buffer = load_pdf(self.document, pdf, self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Document preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.info = QLabel(self._info_text())
        self.info.setWordWrap(True)
        self.print_button = QPushButton("&Print…")
        self.print_button.setToolTip("Print this document (Ctrl+P)")
        self.print_button.setAccessibleName("Print")
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setToolTip("Save this document as a PDF file (Ctrl+S)")
        self.save_button.setAccessibleName("Save as PDF")
        self.close_button = QPushButton("Close")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.close_button.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)

        buttons = QHBoxLayout()
        buttons.addWidget(self.info, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.print_button, self.save_button)
        self.setTabOrder(self.save_button, self.close_button)
        self.print_button.setFocus()

    def _info_text(self) -> str:
        pages = self.document.pageCount()
        text = f"{pages} page{'s' if pages != 1 else ''}"
        if not PdfPrinter.printers_available():
            text += " · no printer installed: save as PDF to print elsewhere"
        return text

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @Slot()
    def print_document(self) -> bool:
        """Print through the Qt print dialog; says so plainly when there is no printer."""
        try:
            name = self.printer.print_pdf(self.pdf, self.title)
        except UserError as exc:
            Messages.warning(self, "Print", str(exc))
            return False
        if name is None:
            return False
        log.info("printed %s on %s", self.title, name)
        self.printed.emit(name)
        return True

    def ask_save_path(self) -> str | None:
        """The file dialog; tests replace it."""
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save as PDF", self.file_name, "PDF documents (*.pdf)"
        )
        return path or None

    @Slot()
    def save_as(self) -> str | None:
        from sijdesk.services.documents import save_pdf

        path = self.ask_save_path()
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            save_pdf(path, self.pdf)
        except UserError as exc:
            Messages.warning(self, "Save as PDF", str(exc))
            return None
        self.saved.emit(path)
        return path


def show_preview(
    pdf: bytes,
    title: str,
    *,
    file_name: str = "document.pdf",
    parent: QWidget | None = None,
    on_printed: Callable[[str], object] | None = None,
    on_saved: Callable[[str], object] | None = None,
) -> PdfPreview:
    """Open a non-modal preview window (deleted when closed); ``on_saved(path)`` after
    "Save as PDF" wrote the file (the caller records it in the audit trail)."""
    preview = PdfPreview(pdf, title, file_name=file_name, parent=parent, on_printed=on_printed)
    if on_saved is not None:
        preview.saved.connect(on_saved)
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    preview.show()
    return preview
