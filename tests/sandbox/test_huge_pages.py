"""The zygote's memory is folded into huge pages, and its children see the same memory."""

from __future__ import annotations

import ctypes
import mmap
import subprocess

import pytest

from tutor.grading.sandbox import RunStatus, Sandbox
from tutor.grading.sandbox.huge_pages import (
    HUGE_PAGE,
    MADV_COLLAPSE,
    _anonymous_ranges,
    collapse_anonymous_memory,
)


def _kernel_folds() -> bool:
    """Whether this kernel grants MADV_COLLAPSE on a plain anonymous mapping (Linux 6.1+)."""
    private = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS  # as the heap is (a shared one is shmem)
    region = mmap.mmap(-1, 2 * HUGE_PAGE, flags=private)
    region.write(b"x" * len(region))
    start = (ctypes.addressof(ctypes.c_char.from_buffer(region)) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return libc.madvise(start, HUGE_PAGE, MADV_COLLAPSE) == 0


def _huge_kib(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1])
    return 0


def test_only_private_writable_memory_without_a_file_is_folded() -> None:
    maps = [
        "5555e000-5556e000 rw-p 00000000 00:00 0          [heap]",
        "7f0000000000-7f0000800000 rw-p 00000000 00:00 0 ",
        "7f0000800000-7f0000a00000 r--p 00000000 08:01 42 /usr/lib/libtorch_cpu.so",
        "7f0000a00000-7f0000c00000 rw-p 00001000 08:01 42 /usr/lib/libtorch_cpu.so",
        "7f0000c00000-7f0000e00000 rw-s 00000000 00:05 7  /dev/shm/x",
        "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0  [stack]",
        "7f0001000000-7f0001400000 ---p 00000000 00:00 0 ",
    ]
    assert _anonymous_ranges(maps) == [
        (0x5555E000, 0x5556E000),
        (0x7F0000000000, 0x7F0000800000),
    ]


@pytest.mark.skipif(not _kernel_folds(), reason="this kernel does not grant MADV_COLLAPSE")
def test_the_fork_servers_memory_is_folded_and_its_children_run_as_before() -> None:
    box = Sandbox()
    box.start()
    try:
        server = box.pids[0]
        assert server is not None
        zygote = int(subprocess.run(["pgrep", "-P", str(server)], capture_output=True,
                                    text=True, check=True).stdout.split()[0])  # fmt: skip
        # torch's heap, tens of MB: without the fold there is no huge page at all
        assert _huge_kib(server) >= 16 * 1024
        assert _huge_kib(zygote) >= 16 * 1024
        run = box.run_snippet("import torch\nprint(torch.arange(6.).softmax(0).argmax().item())")
        assert run.status is RunStatus.OK and run.stdout.strip() == "5", run
    finally:
        box.close()


def test_a_process_that_folds_keeps_its_values() -> None:
    data = bytearray(range(256)) * (3 * HUGE_PAGE // 256)
    before = hash(bytes(data))
    collapse_anonymous_memory()  # refused or granted, nothing may change
    assert hash(bytes(data)) == before
