"""Sizes that suit the screen and the text: dialogs that fit 1366 x 768, rows that fit accents."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidget, QWidget

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


# Stacked accents (Vietnamese "Ễ", as in NGUYỄN) rise above the font's ascent;
# list rows sized to the bare font height clip them, which misprints a name.
ROOMY_ITEMS = "QListWidget::item { padding-top: 3px; padding-bottom: 3px; }"


def roomy_list_items(widget: QListWidget) -> None:
    """Give list rows room above and below the text so no accent is cut off."""
    widget.setStyleSheet(ROOMY_ITEMS)
