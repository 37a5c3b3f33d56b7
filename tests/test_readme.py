"""Every command in the README is exercised.

The README's bash blocks are parsed; each `python -m verify.all ...` command is planned in
full with `--list` (its selection, run entries, conf files and profile must resolve: the
whole runs take minutes to hours and are what CI's and users' runs do), `python -m
verify.diff` and `python -m verify.report` run for real on a small suite made from the
harness's synthetic claims, and `python docs/build.py` is covered by CI (`.ci/run`). The
`pip install` steps are what CI itself runs on a fresh machine, and the test command
(`python -m pytest -n 2`) is this suite.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from verify.core.cli import main as verify_main
from verify.core.device import cuda_available

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> list[str]:
    text = README.read_text()
    cmds = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].split(" #", 1)[0].strip() if "#" in line else line.strip()
            for part in line.split("&&"):
                part = part.strip()
                if part:
                    cmds.append(part)
    return cmds


COMMANDS = _commands()
KNOWN = ("pip install", "python -m verify.all", "python -m verify.diff", "python -m verify.report", "python -m pytest", "python docs/build.py",
         "bash benchmarks/gpu_check.sh")


def test_every_readme_command_is_known():
    assert len(COMMANDS) >= 10
    unknown = [c for c in COMMANDS if not c.startswith(KNOWN)]
    assert not unknown, f"README commands this test does not exercise: {unknown}"


def test_first_two_commands_run_the_main_job_and_the_tests():
    first, second = [c for c in COMMANDS if c.startswith(("python -m verify.all", "python -m pytest"))][:2]
    assert first.startswith("python -m verify.all") and "--profile quick" in first
    assert second == "python -m pytest -n 2"
    ci = (README.parent / ".ci" / "run").read_text()
    assert "python -m pytest -n 2" in ci


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c.startswith("python -m verify.all")])
def test_verify_all_commands_plan(cmd, tmp_path, capsys):
    args = shlex.split(cmd)[3:]
    if "--device" in args and args[args.index("--device") + 1] == "cuda" and not cuda_available():
        with pytest.raises(SystemExit) as e:
            verify_main([*args, "--list", "--store", str(tmp_path)])
        assert e.value.code == 2
        assert "torch sees no GPU" in capsys.readouterr().err
        return
    assert verify_main([*args, "--list", "--store", str(tmp_path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed, cmd
    if "-r" in args:  # a run entry: every listed run is the entry's claim with its overrides
        entry = args[args.index("-r") + 1]
        claim = entry.split(":", 1)[0]
        assert all(line.startswith(claim) for line in listed), listed
        grid = entry.split(":", 1)[1].split(",")[0]
        assert len(listed) == len(grid.split("=", 1)[1].split("|")), listed


def test_diff_and_report_commands_run(tmp_path, monkeypatch, capsys):
    from verify.diff import main as diff_main
    from verify.report import main as report_main

    cmds = [c for c in COMMANDS if c.startswith(("python -m verify.diff", "python -m verify.report"))]
    assert len(cmds) == 2
    monkeypatch.chdir(tmp_path)
    # the suites the README's commands name, made from the synthetic harness claims
    for suite in ("ci", "latest"):
        verify_main(["--plugins", "tests._harness_claims", "--only", "harness*", "--suite", suite, "--no-progress"])
    capsys.readouterr()
    for cmd in cmds:
        args = shlex.split(cmd)[3:]
        fn = diff_main if "verify.diff" in cmd else report_main
        assert fn(args) in (0, None), cmd
    out = capsys.readouterr().out
    assert "Report diff" in out
