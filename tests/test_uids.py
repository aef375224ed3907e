"""Student uids: each session leases its own, and one after another never repeat soon."""

from __future__ import annotations

import fcntl
import os

from autograder.isolation.uids import FIRST_UID, LOCK_DIR, NEXT, UID_COUNT, UidLease


def test_students_graded_one_after_another_get_different_uids() -> None:
    """A slot no longer means a uid: without a sandbox, a student could otherwise
    delete what the previous student of its slot left outside its scratch folder."""
    uids = []
    for _ in range(3):
        lease = UidLease(0)  # the same slot each time, each lease released before the next
        uids.append(lease.uid)
        lease.release()
    if os.geteuid() != 0:
        assert uids == [None] * 3  # a grader that is not root drops to no other uid
        return
    assert all(u is not None and FIRST_UID <= u < FIRST_UID + UID_COUNT for u in uids)
    assert len(set(uids)) == 3


def test_two_students_at_once_never_share_a_uid() -> None:
    first, second = UidLease(7), UidLease(7)
    try:
        assert first.uid is None or first.uid != second.uid
    finally:
        first.release()
        second.release()


def test_a_uid_held_elsewhere_never_makes_two_leases_in_a_row_share_one() -> None:
    """The search skips the uid another grader holds; the next one starts past what it
    found, not one past where it started (which was the uid just released)."""
    if os.geteuid() != 0:
        assert UidLease(0).uid is None
        return
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    start = int((LOCK_DIR / NEXT).read_bytes() or b"0") if (LOCK_DIR / NEXT).exists() else 0
    blocked = FIRST_UID + start % UID_COUNT
    held = os.open(LOCK_DIR / str(blocked), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:  # as another grader's student (or another test's, at this very moment)
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            mine = True
        except BlockingIOError:
            mine = False
        uids = []
        for _ in range(3):
            lease = UidLease(0)
            uids.append(lease.uid)
            lease.release()
        assert len(set(uids)) == 3
        assert not mine or blocked not in uids
    finally:
        os.close(held)
