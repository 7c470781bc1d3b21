"""Landlock (Linux >= 5.13) through ctypes: an allowlist of the files a process may use.

Unprivileged (no root, no CAP_SYS_ADMIN; Docker's default seccomp profile allows the three
syscalls), inherited by every child, and impossible to undo or widen once applied. The ruleset
uses the highest ABI the kernel offers and drops, right by right, what an older kernel does not
know (Documentation/userspace-api/landlock.rst, "Backward and forward compatibility"):
ABI 1 files, 2 REFER, 3 TRUNCATE, 4 TCP bind/connect, 5 IOCTL_DEV, 6 scoped signals and abstract
unix sockets. ABI 7 adds only audit-log flags, which are not needed here.
"""

import ctypes
import os
import platform

# x86_64 and aarch64 share the numbers of the new "generic" syscalls.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1 << 0
PR_SET_NO_NEW_PRIVS = 38
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

FS_ALL = (1 << 16) - 1
# What a rule on a regular file (not a directory) may grant.
FS_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
LIST = FS_READ_DIR  # names only: a folder whose entries are allowed (or not) one by one
READ_EXECUTE = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
READ_WRITE = FS_ALL
NET_ALL = NET_BIND_TCP | NET_CONNECT_TCP
SCOPE_ALL = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the uapi header: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number, *args):
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def abi_version():
    """The Landlock ABI of the running kernel, 0 when Landlock is missing or disabled."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64"):
        return 0
    try:
        return _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError:
        return 0


def supported(abi):
    """(fs, net, scoped) access rights known to Landlock ABI ``abi``."""
    fs = FS_ALL
    if abi < 2:
        fs &= ~FS_REFER
    if abi < 3:
        fs &= ~FS_TRUNCATE
    if abi < 5:
        fs &= ~FS_IOCTL_DEV
    net = NET_ALL if abi >= 4 else 0
    scoped = SCOPE_ALL if abi >= 6 else 0
    return fs, net, scoped


def _attr_size(abi):
    # An older kernel refuses a larger struct unless its tail is zero: pass the size it knows.
    return 8 if abi < 4 else 16 if abi < 6 else 24


def no_new_privs():
    """Required before landlock_restrict_self without CAP_SYS_ADMIN; also stops setuid binaries."""
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(errno)}")


def rule(path, access):
    """(path, access) with the rights a rule on that path may carry (a file takes no directory
    rights); None when the path does not exist. Made in the grader, once, to keep the child fast."""
    if not os.path.exists(path):
        return None
    return path, access if os.path.isdir(path) else access & FS_FILE_RIGHTS


def _add_path(ruleset_fd, path, access, handled_fs):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return False  # gone since rule() was made: nothing to allow
    try:
        rule = PathBeneathAttr(access & handled_fs, fd)
        _syscall(SYS_ADD_RULE, ctypes.c_int(ruleset_fd), ctypes.c_int(RULE_PATH_BENEATH),
                 ctypes.byref(rule), ctypes.c_uint32(0))
        return True
    finally:
        os.close(fd)


def restrict(abi, rules=(), files=True, network=True, scope=True):
    """Confine this process (and every child it will have) for good.

    ``files``: only the ``rules``, pairs (path, access rights) such as READ_EXECUTE, LIST or
    READ_WRITE made by rule(), each for the whole hierarchy under its path, are usable; every
    other path is refused; ``network``: no TCP bind or connect at all (ABI >= 4);
    ``scope``: no signal to, and no abstract unix socket of, any process outside this domain
    (ABI >= 6). Returns the list of what is in force, e.g. ["fs", "net", "scope"].
    Call no_new_privs() first (unless the process has CAP_SYS_ADMIN)."""
    fs, net, scoped = supported(abi)
    attr = RulesetAttr(fs if files else 0, net if network else 0, scoped if scope else 0)
    if not (attr.handled_access_fs or attr.handled_access_net or attr.scoped):
        return []
    ruleset_fd = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(_attr_size(abi)),
                          ctypes.c_uint32(0))
    try:
        if files:
            for path, access in rules:
                _add_path(ruleset_fd, path, access, fs)
        _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))
    finally:
        os.close(ruleset_fd)
    return [name for name, value in (("fs", attr.handled_access_fs), ("net", attr.handled_access_net),
                                     ("scope", attr.scoped)) if value]
