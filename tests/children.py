"""tests/children.py: child processes of the end-to-end Python tests
(tests/kafka/consume_test.py, tests/keys/remote_keys_test.py), which never outlive the
test that started them.

    spawn(cmd, **kw)   subprocess.Popen that dies with this process (PR_SET_PDEATHSIG,
                       also when the test is SIGKILLed) and is remembered;
    kill_children()    kills and reaps every process spawn() started; called at the end
                       of each scenario and at exit.
"""

import ctypes
import signal
import subprocess

_libc = ctypes.CDLL(None, use_errno=True)
_children = []  # every Popen started and not yet reaped by kill_children()

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child between fork and exec: the kernel sends SIGKILL when this
    # process dies.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(cmd, **kw):
    p = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kw)
    _children.append(p)
    return p


def kill_children():
    for p in _children:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in _children:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    _children.clear()
