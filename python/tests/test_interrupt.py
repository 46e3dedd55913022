# Ctrl-C (SIGINT sent to a Python process training with gancpp) stops at the next step with the state
# saved and raises KeyboardInterrupt; resume=True then ends the run exactly as an uninterrupted one.
import os
import signal
import subprocess
import sys
import time

import gancpp
from conftest import MINI, QUICK

SCRIPT = """
import sys, gancpp
gancpp.train(data=sys.argv[1], out=sys.argv[2], epochs=10000, on_epoch=lambda r: print("epoch", r["epoch"], flush=True),
             **{k: int(v) for k, v in (a.split("=") for a in sys.argv[3:])})
"""


def test_sigint_leaves_a_resumable_run(tmp_path):
    out = str(tmp_path / "run")
    args = [f"{k}={v}" for k, v in QUICK.items()]
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, MINI, out, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=os.environ)
    # Wait for two finished epochs, then interrupt it within the third or so.
    lines = []
    while len(lines) < 2:
        line = child.stdout.readline()
        assert line, f"the child ended early: {child.stderr.read()}"
        lines.append(line)
    time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    rest, err = child.communicate(timeout=60)
    assert child.returncode != 0 and "KeyboardInterrupt" in err, err
    assert "state saved to" in rest, rest
    assert os.path.exists(os.path.join(out, "checkpoints", "last.safetensors"))
    stopped = gancpp.Run(out).metrics[-1]["epoch"]
    assert isinstance(stopped, int)
    # Resumed to the end of the next epoch, it is the run that was never interrupted.
    target = stopped + 1
    resumed = gancpp.train(data=MINI, out=out, resume=True, epochs=target, on_epoch=lambda r: None)
    whole = gancpp.train(data=MINI, out=str(tmp_path / "whole"), epochs=target, on_epoch=lambda r: None, **QUICK)
    assert [m["epoch"] for m in resumed.metrics] == list(range(1, target + 1))
    assert resumed.generator.sample(64, seed=4).tobytes() == whole.generator.sample(64, seed=4).tobytes()
