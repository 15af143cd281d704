"""Output paths given with ``--out``: checked before any work, written all or nothing.

* :func:`check_out_dir` refuses, before anything runs, a ``--out`` that
  exists and is not a directory or that cannot be written (read-only
  file system, no permission, a path under a file), with one
  :class:`~exactscreen.environment.InputError` naming the option and the
  reason.  It leaves nothing behind.
* :class:`StagedDir` is a directory written in full or not at all
  (``exactscreen check --out DIR``): everything is written into a temporary
  directory (inside DIR if it exists, else beside it, so that renames stay
  on one file system), and :meth:`StagedDir.commit` moves the entries into
  DIR at the end, with Ctrl-C and SIGTERM held back meanwhile.  An
  interrupted or failed run discards the temporary directory: the previous
  contents of DIR are untouched.  Entries of DIR that the run does not write
  (a user's notes) are kept.
* :func:`write_file_atomically` writes one file the same way (hunts,
  ``solve --certificate``); :func:`check_out_file` refuses, before any
  work, a file path that cannot be written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .exceptions import InputError
from .interrupts import deferred_signals

__all__ = ["check_out_dir", "check_out_file", "StagedDir", "write_file_atomically"]

_PARTIAL = ".exactscreen-partial-"


def _anchor(target: Path, label: str, inner: bool = False) -> Path:
    """The directory where ``target``'s writing starts: itself, or its nearest existing ancestor.

    ``label`` starts error messages: the option and the value the user gave
    (``inner``: ``target`` is a directory inside that value, named in messages).
    """
    try:
        return _find_anchor(target, label, inner)
    except OSError as exc:  # e.g. no permission to look inside a parent
        raise InputError(f"{label}: cannot use it ({_reason(exc)}); choose a writable directory") from None


def _find_anchor(target: Path, label: str, inner: bool) -> Path:
    if target.exists():
        if not target.is_dir():
            what = f"{target} is not a directory" if inner else "exists and is not a directory"
            raise InputError(f"{label}: {what}; choose a directory")
        return target
    probe = target
    for _ in range(len(target.parts) + 1):  # up to "." or the root
        if probe.exists() or probe == probe.parent:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{label}: {probe} is not a directory; choose a directory")
    return probe


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _usual_mode(path: str | Path, directory: bool) -> None:
    """Give a file or directory made by tempfile (0600 / 0700) the mode a plain open/mkdir gives."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_out_dir(target: str | Path, option: str = "--out", shown: str | Path | None = None) -> None:
    """Raise :class:`InputError` unless ``target`` is (or can be created as) a writable directory.

    Nothing is created: a probe directory is made and removed where writing
    would start.  Messages name ``option`` and ``shown`` (default ``target``),
    the value the user gave.
    """
    target = Path(target)
    label = f"{option} {shown if shown is not None else target}"
    anchor = _anchor(target, label, inner=shown is not None and Path(shown) != target)
    try:
        probe = tempfile.mkdtemp(prefix=_PARTIAL, dir=anchor)
    except OSError as exc:
        raise InputError(f"{label}: cannot write in {anchor} ({_reason(exc)}); choose a writable directory") from None
    os.rmdir(probe)


def check_out_file(target: str | Path, option: str) -> None:
    """Raise :class:`InputError` unless :func:`write_file_atomically` can write ``target``.

    ``target`` must not be a directory, and its directory must exist and be
    writable or be creatable under a writable ancestor.  Nothing is left
    behind: a probe file is made and removed where writing would start.
    """
    target = Path(target)
    label = f"{option} {target}"
    if target.is_dir():
        raise InputError(f"{label}: is a directory; give a file name")
    anchor = _anchor(target.parent, label, inner=True)
    try:
        fd, probe = tempfile.mkstemp(prefix=_PARTIAL, dir=anchor)
    except OSError as exc:
        raise InputError(f"{label}: cannot write in {anchor} ({_reason(exc)}); choose a writable place") from None
    os.close(fd)
    os.unlink(probe)


class StagedDir:
    """``target`` written all or nothing (see the module docstring).

    Use as a context manager: write into :attr:`path`, call :meth:`commit`;
    leaving the block without committing (an exception, Ctrl-C) removes the
    temporary directory.  The constructor raises :class:`InputError` (before
    any work) if ``target`` cannot be written.
    """

    def __init__(self, target: str | Path, option: str = "--out") -> None:
        self.target = Path(target)
        self.option = option
        label = f"{option} {self.target}"
        anchor = _anchor(self.target, label)
        try:
            self.path = Path(tempfile.mkdtemp(prefix=_PARTIAL, dir=anchor))
            _usual_mode(self.path, directory=True)
        except OSError as exc:
            raise InputError(f"{label}: cannot write in {anchor} ({_reason(exc)}); choose a writable directory") from None
        self.committed = False

    def __enter__(self) -> "StagedDir":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def discard(self) -> None:
        """Remove the temporary directory (a no-op after :meth:`commit`)."""
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)

    def commit(self) -> None:
        """Move what was written into ``target`` (replacing entries of the same name)."""
        with deferred_signals():
            if not self.target.exists():
                self.target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.path, self.target)
            else:
                old = Path(tempfile.mkdtemp(prefix=_PARTIAL + "old-", dir=self.path))
                for entry in sorted(self.path.iterdir()):
                    if entry == old:
                        continue
                    dest = self.target / entry.name
                    if dest.is_dir() and not dest.is_symlink() or (dest.exists() and entry.is_dir()):
                        os.rename(dest, old / entry.name)  # a directory cannot be replaced in one step
                    os.replace(entry, dest)
                shutil.rmtree(self.path, ignore_errors=True)
            self.committed = True

    def __repr__(self) -> str:
        return f"StagedDir({self.target}, staging in {self.path})"


def write_file_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_PARTIAL, suffix=".tmp", dir=path.parent)
    try:
        _usual_mode(tmp, directory=False)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        with deferred_signals():
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
