"""`heaven._http.spool`: the unnamed temporary file a spilled upload lives in,
and `link_unnamed`, which names it at a destination only when the result is
the file `open(path, "wb")` would have made (File.save's own tests are in
tests/test_forms_unit.py, through requests in tests/test_forms.py)."""

from __future__ import annotations

import errno
import os
import stat
import struct
import sys
import tempfile
import time

import pytest

from heaven._http import spool

LINUX = sys.platform == "linux"
OTHER_FS = "/dev/shm"  # tmpfs: another file system (and mount) than the test's tmp_path


def test_this_box_links():
    # The suite runs on Linux: the rest of this module checks the link path, not a fallback by accident.
    assert LINUX and spool._O_TMPFILE and os.path.isdir("/proc/self/fd")


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.fixture
def tmpdir_at(monkeypatch):
    def use(path) -> None:
        monkeypatch.setattr(tempfile, "tempdir", str(path))

    return use


def unnamed(data: bytes = b"spooled bytes") -> tuple:
    handle = spool.unnamed_file()
    handle.write(data)
    handle.flush()
    return handle, handle.fileno()


def copied(path, data: bytes = b"spooled bytes") -> os.stat_result:
    """What File.save's copy makes: the reference the linked file must match."""
    with open(path, "wb") as target:
        target.write(data)
    return os.stat(path)


def acl(*entries: tuple[int, int, int]) -> bytes:
    """A POSIX ACL as the kernel's xattr format: version 2, then (tag, perm, id) entries."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in entries)


USER_OBJ, USER, GROUP_OBJ, MASK, OTHER, ANYONE = 0x01, 0x02, 0x04, 0x10, 0x20, 0xFFFFFFFF


def test_unnamed_file_has_no_name_in_the_temp_dir(tmp_path, tmpdir_at):
    tmpdir_at(tmp_path)
    handle, fd = unnamed(b"abc")
    info = os.fstat(fd)
    assert stat.S_ISREG(info.st_mode) and info.st_nlink == 0 and stat.S_IMODE(info.st_mode) == 0o600
    assert os.readlink(f"/proc/self/fd/{fd}").startswith(f"{tmp_path}/#")
    assert list(tmp_path.iterdir()) == []
    handle.seek(0)
    assert handle.read() == b"abc"
    handle.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0])
def test_linked_file_is_the_file_the_copy_makes(tmp_path, tmpdir_at, umask, mask):
    tmpdir_at(tmp_path)
    umask(mask)
    handle, fd = unnamed()
    os.utime(fd, (0, 0))  # as if the upload had ended long ago
    before = time.time()
    assert spool.link_unnamed(fd, tmp_path / "linked") is True
    linked, reference = os.stat(tmp_path / "linked"), copied(tmp_path / "copied")
    assert (linked.st_ino, linked.st_dev) == (os.fstat(fd).st_ino, os.fstat(fd).st_dev)  # the same file: nothing copied
    assert linked.st_nlink == 1
    assert stat.S_IMODE(linked.st_mode) == stat.S_IMODE(reference.st_mode) == 0o666 & ~mask
    assert (linked.st_uid, linked.st_gid) == (reference.st_uid, reference.st_gid)
    assert linked.st_mtime >= before - 0.1 and linked.st_atime >= before - 0.1  # modified when saved, as a copy would be, not when the upload ended
    assert (tmp_path / "linked").read_bytes() == (tmp_path / "copied").read_bytes() == b"spooled bytes"
    handle.close()
    assert (tmp_path / "linked").read_bytes() == b"spooled bytes"  # the name keeps the file once the upload is closed


def test_a_relative_path_links_in_the_working_directory(tmp_path, tmpdir_at, monkeypatch):
    tmpdir_at(tmp_path)
    monkeypatch.chdir(tmp_path)
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, "here.bin") is True
    assert os.stat(tmp_path / "here.bin").st_ino == os.fstat(fd).st_ino
    handle.close()


def test_an_existing_destination_is_left_alone(tmp_path, tmpdir_at):
    tmpdir_at(tmp_path)
    handle, fd = unnamed()
    (tmp_path / "there").write_bytes(b"old")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    (tmp_path / "folder").mkdir()
    for name in ("there", "dangling", "folder"):
        assert spool.link_unnamed(fd, tmp_path / name) is False
    assert (tmp_path / "there").read_bytes() == b"old"
    assert os.readlink(tmp_path / "dangling") == str(tmp_path / "nowhere") and not (tmp_path / "nowhere").exists()
    assert os.fstat(fd).st_nlink == 0  # still unnamed: the copy will do
    handle.close()


def test_another_file_system_is_refused(tmp_path, tmpdir_at):
    tmpdir_at(tmp_path)
    assert os.stat(tmp_path).st_dev != os.stat(OTHER_FS).st_dev
    handle, fd = unnamed()
    target = os.path.join(OTHER_FS, f"heaven-spool-{os.getpid()}")
    try:
        assert spool.link_unnamed(fd, target) is False
        assert not os.path.exists(target)
    finally:
        handle.close()


def test_a_file_linked_once_or_named_is_never_linked_again(tmp_path, tmpdir_at):
    tmpdir_at(tmp_path)
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, tmp_path / "first") is True
    assert spool.link_unnamed(fd, tmp_path / "second") is False  # it has a name now
    os.remove(tmp_path / "first")
    assert os.fstat(fd).st_nlink == 0
    assert spool.link_unnamed(fd, tmp_path / "third") is False  # unnamed again, but the kernel refuses a relink
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    handle.close()
    with open(tmp_path / "named", "wb") as named:
        assert spool.link_unnamed(named.fileno(), tmp_path / "alias") is False
    assert not (tmp_path / "alias").exists()


def test_tempfile_temporary_file_is_not_linkable(tmp_path, tmpdir_at):
    # tempfile.TemporaryFile() opens O_TMPFILE with O_EXCL, which forbids a link:
    # where unnamed_file falls back to it, saving copies.
    tmpdir_at(tmp_path)
    with tempfile.TemporaryFile() as handle:
        handle.write(b"x")
        handle.flush()
        assert os.fstat(handle.fileno()).st_nlink == 0
        assert spool.link_unnamed(handle.fileno(), tmp_path / "t") is False
    assert list(tmp_path.iterdir()) == []


def test_without_o_tmpfile_it_is_tempfile_and_never_links(tmp_path, tmpdir_at, monkeypatch):
    # What macOS, Windows and a kernel or file system without O_TMPFILE get.
    tmpdir_at(tmp_path)
    monkeypatch.setattr(spool, "_O_TMPFILE", 0)
    handle, fd = unnamed(b"abc")
    handle.seek(0)
    assert handle.read() == b"abc" and list(tmp_path.iterdir()) == []
    assert spool.link_unnamed(fd, tmp_path / "t") is False and not (tmp_path / "t").exists()
    handle.close()


def test_a_file_system_without_o_tmpfile_falls_back(tmp_path, tmpdir_at, monkeypatch):
    # Such a file system answers EOPNOTSUPP to O_TMPFILE (tempfile then makes a named file and unlinks it).
    tmpdir_at(tmp_path)
    real_open = os.open

    def no_tmpfile(path, flags, *args, **kwargs):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_tmpfile)
    handle, fd = unnamed(b"abc")
    monkeypatch.setattr(os, "open", real_open)
    assert os.readlink(f"/proc/self/fd/{fd}").startswith(f"{tmp_path}/tmp")  # mkstemp's name, already removed
    assert os.fstat(fd).st_nlink == 0 and list(tmp_path.iterdir()) == []
    assert spool.link_unnamed(fd, tmp_path / "t") is False and not (tmp_path / "t").exists()
    handle.close()


def test_setgid_directory_of_another_group_is_refused(tmp_path, tmpdir_at):
    # A new file in a setgid directory takes the directory's group; the temporary file has the process's.
    tmpdir_at(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    group = os.getegid() + 4242
    os.chown(shared, -1, group)
    os.chmod(shared, 0o2775)
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, shared / "f") is False and not (shared / "f").exists()
    assert copied(shared / "g").st_gid == group  # what the copy gets, and why linking would differ
    handle.close()
    plain = tmp_path / "plain"
    plain.mkdir(mode=0o2775)
    os.chmod(plain, 0o2775)  # setgid, but of the process's own group: same result, so it links
    assert os.stat(plain).st_gid == os.getegid()
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, plain / "f") is True
    assert os.stat(plain / "f").st_gid == copied(plain / "g").st_gid
    handle.close()


def test_default_acl_on_the_destination_is_refused(tmp_path, tmpdir_at, umask):
    # With a default ACL, a new file's mode comes from the ACL, not the umask.
    tmpdir_at(tmp_path)
    umask(0o022)
    shared = tmp_path / "acl"
    shared.mkdir()
    os.setxattr(shared, "system.posix_acl_default", acl((USER_OBJ, 6, ANYONE), (GROUP_OBJ, 6, ANYONE), (OTHER, 6, ANYONE)))
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, shared / "f") is False and not (shared / "f").exists()
    assert stat.S_IMODE(copied(shared / "g").st_mode) == 0o666  # not 0o644: linking would have differed
    handle.close()


def test_acl_on_the_temporary_file_is_refused(tmp_path, tmpdir_at):
    # A temp dir with a default ACL naming a user gives the temporary file an access ACL a copy would not have.
    spooldir = tmp_path / "spool"
    spooldir.mkdir()
    os.setxattr(
        spooldir,
        "system.posix_acl_default",
        acl((USER_OBJ, 6, ANYONE), (USER, 4, 4242), (GROUP_OBJ, 4, ANYONE), (MASK, 4, ANYONE), (OTHER, 0, ANYONE)),
    )
    tmpdir_at(spooldir)
    handle, fd = unnamed()
    assert os.getxattr(fd, "system.posix_acl_access")
    assert spool.link_unnamed(fd, tmp_path / "f") is False and not (tmp_path / "f").exists()
    handle.close()


def test_an_unreadable_umask_is_refused(tmp_path, tmpdir_at, monkeypatch):
    # Kernels before 4.7 do not report the umask: the mode could not be made right, so no link.
    tmpdir_at(tmp_path)
    monkeypatch.setattr(spool, "_umask", lambda: None)
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, tmp_path / "f") is False and not (tmp_path / "f").exists()
    handle.close()


def test_umask_is_read_from_the_kernel(umask):
    for mask in (0o022, 0o077, 0):
        umask(mask)
        assert spool._umask() == mask


def test_a_missing_directory_is_refused(tmp_path, tmpdir_at):
    tmpdir_at(tmp_path)
    handle, fd = unnamed()
    assert spool.link_unnamed(fd, tmp_path / "no" / "f") is False
    handle.close()


def test_any_extended_attribute_on_the_temporary_file_is_refused(tmp_path, tmpdir_at):
    # A security label (SELinux, Smack) given to the temporary file is one: a copy would get the destination's.
    tmpdir_at(tmp_path)
    handle, fd = unnamed()
    os.setxattr(fd, "user.label", b"from-the-temp-dir")
    assert spool.link_unnamed(fd, tmp_path / "f") is False and not (tmp_path / "f").exists()
    handle.close()
