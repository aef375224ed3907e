"""Student uids: each session leases its own, and one after another never repeat soon."""

from __future__ import annotations

import os

from autograder.isolation.uids import FIRST_UID, UID_COUNT, UidLease


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
