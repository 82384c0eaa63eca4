"""``sijdesk menu-entry`` (issue 15): SIJ Desk in the user's desktop menu with one
command, wherever it was installed or unpacked, and out of it again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from sijdesk import __version__, desktop_entry
from sijdesk.cli import main
from sijdesk.errors import UserError
from sijdesk.packaging import PackagingError, build_bundle
from sijdesk.packaging import main as packaging_main
from tests.project.install_checks import parse_desktop_entry


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return home


def test_the_entry_starts_this_sijdesk_by_its_full_path(home, capsys):
    assert main(["menu-entry"]) == 0
    entry_path = home / ".local/share/applications/sijdesk.desktop"
    assert str(entry_path) in capsys.readouterr().out
    entry = parse_desktop_entry(entry_path)
    assert entry["Name"] == ["SIJ Desk"]
    assert entry["Type"] == ["Application"]
    assert entry["Terminal"] == ["false"]
    # Under pytest there is no sijdesk script: this Python with -m sijdesk.
    command = entry["Exec"]
    assert command[1:] == ["-m", "sijdesk"]
    assert Path(command[0]).is_absolute()
    started = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, check=True, cwd=home
    )
    assert __version__ in started.stdout
    icon = QImage(entry["Icon"][0])
    assert (icon.width(), icon.height()) == (256, 256)
    assert entry["Icon"][0].startswith(str(home / ".local/share/icons/hicolor/256x256/apps"))


def test_a_path_with_spaces_quotes_and_percent_signs_survives_the_entry(home):
    odd = str(home / 'Clinic "A" 100% $HOME `x` back\\slash' / "sijdesk")
    files = desktop_entry.install([odd, "--db", "/data/clinic one.sqlite3"])
    entry = parse_desktop_entry(files.entry)
    assert entry["Exec"] == [odd, "--db", "/data/clinic one.sqlite3"]
    assert entry["TryExec"] == [odd]


def test_xdg_data_home_is_used_when_absolute_and_ignored_when_relative(home, tmp_path):
    assert desktop_entry.data_home({"HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "x")}) == (
        tmp_path / "x"
    )
    assert desktop_entry.data_home({"HOME": str(home), "XDG_DATA_HOME": "rel/x"}) == (
        home / ".local/share"
    )


def test_installing_again_replaces_and_remove_takes_both_files_out(home, capsys):
    first = desktop_entry.install(["/opt/old/sijdesk"])
    second = desktop_entry.install(["/opt/new/sijdesk"])
    assert first == second
    assert parse_desktop_entry(second.entry)["Exec"] == ["/opt/new/sijdesk"]
    assert not list(second.entry.parent.glob("*.part"))
    assert main(["menu-entry", "--remove"]) == 0
    assert not second.entry.exists() and not second.icon.exists()
    assert "Removed" in capsys.readouterr().out
    assert main(["menu-entry", "--remove"]) == 0
    assert "had no entry" in capsys.readouterr().out


def test_a_menu_folder_that_cannot_be_written_is_said_in_a_sentence(home, capsys):
    (home / ".local").mkdir()
    (home / ".local" / "share").write_text("not a folder")
    assert main(["menu-entry"]) != 0
    error = capsys.readouterr().err
    assert "menu entry could not be written" in error
    assert "Traceback" not in error


def test_other_systems_are_told_where_their_menu_entry_comes_from(home, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(UserError, match="Linux only"):
        desktop_entry.install(["C:/SIJ Desk/sijdesk.exe"])


def test_the_icon_is_drawn_for_the_windows_executable(tmp_path):
    path = tmp_path / "sijdesk.ico"
    desktop_entry.draw_icon(path, "ICO")
    assert path.read_bytes()[:4] == b"\0\0\1\0"  # an icon resource, not a PNG renamed
    image = QImage(str(path))
    assert (image.width(), image.height()) == (256, 256)


def test_a_bundle_for_another_system_says_where_to_build_it(tmp_path, capsys):
    with pytest.raises(PackagingError, match="built on a windows PC"):
        build_bundle(tmp_path, "windows")
    assert packaging_main(["bundle", "--platform", "macos", "--out", str(tmp_path)]) == 1
    assert "--platform macos" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
