"""Dialog sizes that never exceed the screen (clinics still have 1366 x 768 laptops)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.92


def resize_to_fit(widget: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height``, shrunk to fit the screen the widget will show on."""
    parent = widget.parentWidget()
    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, int(available.width() * SCREEN_SHARE))
        height = min(height, int(available.height() * SCREEN_SHARE))
    widget.resize(width, height)
