"""The trust boundary on the grader's side: starting, confining and talking to a student.

``sandbox`` holds the isolation levels and limits, ``levels`` resolves
``auto`` (probing bubblewrap and Landlock for real), ``launch`` builds the
student process's command line and confinement plan, ``uids`` leases each
student a uid of its own, ``student_process`` starts one process and ends
it whole, ``accounting`` finds and measures every process of a student,
``watch`` holds one call to its limits, ``processes`` caps the output, and
``session`` drives it all call by call, decoding every reply as untrusted
plain data (``policy``: the time limits). May import ``core``, ``i18n`` and
``runtime``; nothing that grades.
"""
