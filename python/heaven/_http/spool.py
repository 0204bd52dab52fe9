"""Where a large upload waits: a temporary file with no name, and, on Linux,
giving that file a name instead of copying its bytes when it is saved.

On Linux the file is opened with O_TMPFILE but without O_EXCL (what
`tempfile.TemporaryFile()` uses, and which forbids ever linking it), so
`link_unnamed` can make it appear at the destination with linkat(2), the
documented way to keep an O_TMPFILE file: no byte is read or written again.
Only a process that may read the file through /proc/PID/fd (the same user,
or root) could link it elsewhere. Everywhere else, and on file systems that
refuse O_TMPFILE, it is `tempfile.TemporaryFile()` and saving copies."""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import tempfile

_O_TMPFILE = getattr(os, "O_TMPFILE", 0) if sys.platform.startswith("linux") else 0
_NO_XATTR = (errno.ENODATA, errno.EOPNOTSUPP)


def unnamed_file() -> io.BufferedRandom:
    """A new empty temporary file in the default temporary directory, read
    and write, that nothing on disk names; it is gone once closed."""
    if _O_TMPFILE:
        try:
            fd = os.open(tempfile.gettempdir(), os.O_RDWR | _O_TMPFILE | os.O_CLOEXEC, 0o600)
        except OSError:  # a file system without O_TMPFILE, or a kernel older than 3.11
            return tempfile.TemporaryFile()
        try:
            return open(fd, "w+b")  # a descriptor: nothing is truncated or named
        except BaseException:
            os.close(fd)
            raise
    return tempfile.TemporaryFile()


def link_unnamed(fd: int, path: str | os.PathLike[str]) -> bool:
    """Give the unnamed file open at `fd` the name `path`, making it the new
    file `open(path, "wb")` would have created (mode 0o666 less the umask,
    the same group, modified now), and say whether it did. False, having
    named nothing, whenever that is not possible or would not give the same
    file: not Linux, no /proc, a file that has (or had) a name, `path`
    already existing, another file system or mount, a default ACL on the
    directory, extended attributes on the file (an ACL, a security label),
    a group the new file would not get. The caller then copies.

    The mode and times are set before the link, so the file never appears
    with the temporary file's 0600."""
    if not _O_TMPFILE:
        return False
    try:
        info = os.fstat(fd)
        if info.st_nlink or not stat.S_ISREG(info.st_mode):
            return False
        folder = os.path.dirname(os.fspath(path)) or "."
        parent = os.stat(folder)
        group = parent.st_gid if parent.st_mode & stat.S_ISGID else os.getegid()
        if info.st_gid != group or _has_default_acl(folder) or _xattrs(fd):
            return False
        mask = _umask()
        if mask is None:
            return False
        os.fchmod(fd, 0o666 & ~mask)
        os.utime(fd)
        fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            # linkat(AT_SYMLINK_FOLLOW) through the /proc link. The directory
            # descriptor matters: without one, os.link calls link(2), which
            # links the /proc entry itself and fails (EXDEV).
            os.link(str(fd), path, src_dir_fd=fds, follow_symlinks=True)
        finally:
            os.close(fds)
    except OSError:
        return False
    return True


def _has_default_acl(folder: str) -> bool:
    """Whether the directory gives new files a POSIX ACL, which then decides
    their mode instead of the umask."""
    try:
        os.getxattr(folder, "system.posix_acl_default")
    except OSError as exc:
        if exc.errno in _NO_XATTR:
            return False
        raise
    return True


def _xattrs(fd: int) -> list[str]:
    """The temporary file's extended attributes: an ACL inherited from the
    temporary directory, or a security label (SELinux, Smack) given for it
    there, that a file created at the destination would not have."""
    try:
        return os.listxattr(fd)
    except OSError as exc:
        if exc.errno in _NO_XATTR:
            return []
        raise


def _umask() -> int | None:
    """The process's umask, read where the kernel reports it (Linux 4.7+):
    `os.umask` can only read it by changing it, which would race with
    other threads creating files."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None
