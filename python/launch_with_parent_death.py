"""Run a Python command so that it dies together with the process that started it.

Usage: python launch_with_parent_death.py <interpreter arguments...>
  python launch_with_parent_death.py train.py
  python launch_with_parent_death.py -m torch.distributed.run ... launch_with_parent_death.py train.py

The harness starts training scripts in their own process group so that a timeout can kill the whole
tree; the price is that nothing stops them when the harness itself is killed with SIGKILL (kill -9, the
OOM killer). So this asks the kernel to SIGKILL this process the moment its parent dies
(prctl PR_SET_PDEATHSIG, which survives execve) and then replaces itself with the real command: the same
interpreter and the same arguments, so the script's argv[0], __file__ and sys.path are what they would
have been without this launcher.

The parent to die with is named in SPEEDRUN_PARENT_PID. Just before the exec it is set to this process's
own pid: torchrun's workers are started through this launcher too, and so they die with torchrun.
Where prctl is unavailable (not Linux, no ctypes) the command runs anyway; the harness's pid file still
lets a resumed bench clean up.
"""
import os
import signal
import sys

PARENT_PID_VAR = "SPEEDRUN_PARENT_PID"
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Ask for SIGKILL when the parent dies; False where this platform cannot do that."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):
        return False


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: launch_with_parent_death.py <python arguments...>")
    expected_parent = os.environ.get(PARENT_PID_VAR)
    if not die_with_parent() and sys.platform.startswith("linux"):
        print("speedrun: could not set a parent-death signal; stray processes are cleaned up on resume", file=sys.stderr)
    # The parent may have died before prctl took effect: the kernel would then never signal us.
    if expected_parent and os.getppid() != int(expected_parent):
        sys.exit(f"speedrun: the parent process {expected_parent} is gone; not starting {args}")
    os.environ[PARENT_PID_VAR] = str(os.getpid())
    os.execv(sys.executable, [sys.executable, *args])


if __name__ == "__main__":
    main()
