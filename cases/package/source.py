"""Reading a data package's files from a zip or from a folder.

Both hold the files at their top level; a zip (or folder) whose files all sit in one folder, as
when someone zips the folder itself, is read from inside that folder.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import IO


class SourceError(Exception):
    """The package cannot be opened at all; the message says why."""


class PackageSource:
    """The files at the top level of a package: `names`, `open(name)`, `sha256(name)`."""

    names: frozenset[str]
    label: str  # the zip's or folder's name, for messages

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def sha256(self, name: str) -> str:
        digest = hashlib.sha256()
        with self.open(name) as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def __enter__(self) -> PackageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderSource(PackageSource):
    def __init__(self, path: Path) -> None:
        files = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]
        folders = [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if not files and len(folders) == 1:
            path = folders[0]
            files = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]
        self.label = path.name
        self.root = path
        self.names = frozenset(p.name for p in files)

    def open(self, name: str) -> IO[bytes]:
        return (self.root / name).open("rb")


class ZipSource(PackageSource):
    def __init__(self, path: Path) -> None:
        self.label = path.name
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(f"{path.name} is not a readable zip file ({exc})") from None
        entries = [
            info.filename
            for info in self.zip.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
        ]
        prefix = ""
        tops = {name.split("/", 1)[0] for name in entries}
        if entries and all("/" in name for name in entries) and len(tops) == 1:
            prefix = f"{tops.pop()}/"
        self.prefix = prefix
        self.names = frozenset(
            name[len(prefix) :]
            for name in entries
            if name.startswith(prefix) and "/" not in name[len(prefix) :]
        )

    def open(self, name: str) -> IO[bytes]:
        return self.zip.open(self.prefix + name)

    def close(self) -> None:
        self.zip.close()


def open_source(path: Path) -> PackageSource:
    """A zip file or a folder; raises SourceError when it is neither."""
    if path.is_dir():
        return FolderSource(path)
    if path.is_file():
        return ZipSource(path)
    raise SourceError(f"{path} does not exist (give a zip file or a folder)")
