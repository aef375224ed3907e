"""The trust boundary on the grader's side: starting, confining and talking to a student.

``sandbox`` builds the student process's command line (bubblewrap, or a plain
subprocess), ``processes`` watches it from outside, and ``session`` drives it
call by call with time limits, decoding every reply as untrusted plain data.
May import ``core``, ``i18n`` and ``runtime``; nothing that grades.
"""
