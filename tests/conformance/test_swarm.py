"""The adaptive swarm: when it starts or retires a worker, the queue its workers share, and their exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from harness.conformance import swarm
from harness.conformance.queue import Claims, taken
from harness.conformance.runner import combined
from harness.conformance.swarm import IDLE, AnswerTimes, Controller, CpuMeter, Reading
from harness.run.processes import INTERRUPTED, watch_group
from harness.run.scratch import claims_folder, progress_file, retire_file, stop_file

FLAT = 0.010  # seconds: an answer time that has not moved


def reading(
    idle: float = 1.5, answer: float | None = FLAT, ready: int = 2, pending: int = 100, waiting: int = 0
) -> Reading:
    return Reading(idle_cores=idle, answer=answer, ready=ready, pending=pending, waiting=waiting)


def test_a_worker_is_added_while_a_core_is_idle_answers_stay_flat_and_checks_wait() -> None:
    """Idle cores, flat answers, checks waiting: one more; up to the ceiling and no further."""
    controller = Controller(ceiling=3)

    assert controller.decide(2, reading()) == 1
    assert controller.decide(3, reading(ready=3)) == 0  # the ceiling
    assert controller.decide(2, reading(pending=0)) == 0  # nothing left to hand out


def test_idle_cores_make_room_for_several_at_once_never_more_than_double() -> None:
    """Up to the threshold, one more for each half core idle, at most as many as run, the ceiling and the checks left;
    beyond the threshold, or where only waiting workers make the room (no core idle), one."""
    controller = Controller(ceiling=16, threshold=8)

    assert controller.decide(2, reading(idle=1.0)) == 2
    assert controller.decide(2, reading(idle=1.9)) == 2  # room for three, but at most doubling
    assert controller.decide(4, reading(idle=0.7, ready=4)) == 1
    assert controller.decide(6, reading(idle=1.9, ready=6, pending=2)) == 2  # two checks left
    assert Controller(ceiling=5).decide(4, reading(idle=1.9, ready=4)) == 1  # the ceiling
    assert controller.decide(4, reading(idle=0.0, ready=4, waiting=2)) == 1
    assert controller.decide(7, reading(idle=1.9, ready=7)) == 1  # the threshold: one at a time beyond it
    assert controller.decide(9, reading(idle=1.9, ready=9)) == 1


def test_no_worker_is_added_while_one_is_starting_or_the_machine_is_busy() -> None:
    """A worker still collecting would look like load, so the controller waits for it; no idle core, no more."""
    controller = Controller(ceiling=16)

    assert controller.decide(3, reading(ready=2)) == 0
    assert controller.decide(4, reading(ready=2, waiting=4)) == 0  # two still starting: wait whatever else
    assert controller.decide(2, reading(idle=IDLE - 0.1)) == 0


def test_workers_that_wait_for_provisioning_make_room_on_a_busy_machine() -> None:
    """No core idle (another job shares the machine), but half the workers wait for workspaces: one more."""
    controller = Controller(ceiling=16)

    assert controller.decide(4, reading(idle=0.0, ready=4, waiting=2)) == 1
    assert controller.decide(4, reading(idle=0.0, ready=4, waiting=1)) == 0
    assert controller.decide(5, reading(idle=0.0, ready=4, waiting=3)) == 1  # one still starting: waits count


def test_a_worker_is_retired_when_answers_climb_and_no_core_is_idle() -> None:
    """Answers three times their usual on a saturated machine: the newest goes, and the next only once that has
    settled; never the last one; a busy machine whose answers hold is left as it is (full use, not overload)."""
    controller = Controller(ceiling=16)
    controller.decide(4, reading(ready=4))  # the usual answer time: FLAT
    saturated = reading(idle=0.0, answer=3 * FLAT, ready=4)

    assert controller.decide(4, saturated) == -1
    assert [controller.decide(3, saturated) for _ in range(2)] == [0, 0]  # settling (ready=4 > 3 is no start)
    assert controller.decide(3, saturated) == -1
    assert Controller(ceiling=16, usual=FLAT).decide(1, saturated) == 0
    assert Controller(ceiling=16, usual=FLAT).decide(4, reading(idle=0.0, answer=FLAT, ready=4)) == 0
    assert Controller(ceiling=16, usual=FLAT).decide(4, reading(idle=1.5, answer=3 * FLAT, ready=4)) == 0


def test_the_usual_answer_time_follows_a_slow_change_of_mix() -> None:
    """Answers that grow slowly (heavier requests later in the run) move the usual with them: no retirement."""
    controller = Controller(ceiling=16)
    answers = [FLAT * 1.15**step for step in range(15)]  # five times slower by the end, step by step

    assert [controller.decide(4, reading(idle=0.0, answer=answer, ready=4)) for answer in answers] == [0] * 15


def take_all(folder: Path, count: int) -> list[int]:
    claims, mine = Claims(folder), []
    while (index := claims.take(count)) is not None:
        mine.append(index)
    return mine


def test_workers_sharing_the_queue_take_every_check_exactly_once(tmp_path: Path) -> None:
    """Four processes take from one queue of 400 checks at once: together all of them, no check twice."""
    with ProcessPoolExecutor(4) as pool:
        shares = list(pool.map(take_all, [tmp_path] * 4, [400] * 4))

    assert sorted(index for share in shares for index in share) == list(range(400))
    assert taken(tmp_path) == 400


def test_answer_times_are_read_as_they_are_appended(tmp_path: Path) -> None:
    """The median of the answers since the last look; too few is no reading; a half-written line waits."""
    answers = AnswerTimes(tmp_path)
    swarm.record_answers(tmp_path, "q1", [0.01, 0.02])

    assert answers.median() is None  # fewer than ENOUGH
    swarm.record_answers(tmp_path, "q2", [0.03, 0.04, 0.05])
    with (tmp_path / "answers" / "q2.txt").open("a") as handle:
        handle.write("9.0")  # no newline yet
    assert answers.median() == 0.03  # of the five whole lines; the half-written 9.0 waits
    assert answers.median() is None  # none since


def test_idle_cores_come_from_the_machines_counters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between two readings of /proc/stat, the idle share of the time times the cores."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 100 800 0 0 0 0 0 0\n")
    monkeypatch.setattr(CpuMeter, "STAT", stat)
    meter = CpuMeter()
    meter.cores = 2
    stat.write_text("cpu  200 0 200 1000 0 0 0 0 0 0\n")  # 200 of 400 idle

    assert meter.idle_cores() == 1.0


def test_a_run_that_stops_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the run stops at its limit (-x), the swarm starts no worker, idle cores and checks left or not: each
    would collect for seconds only to see the stop and end, and the phase would wait for all of them."""
    started: list[str] = []
    workers = swarm.Swarm(tmp_path, "concurrent", 16, lambda name: started.append(name) or None)  # type: ignore[func-returns-value]
    monkeypatch.setattr(swarm.CpuMeter, "idle_cores", lambda self: 1.5)
    monkeypatch.setattr(swarm.progress, "counts", lambda scratch, phase: (0, 100))
    for name in ("q1", "q2"):  # two workers that have collected
        workers.workers[name] = None  # type: ignore[assignment]
        progress_file(tmp_path, "concurrent", name).parent.mkdir(parents=True, exist_ok=True)
        progress_file(tmp_path, "concurrent", name).touch()
    assert workers.controller.decide(workers.active, workers.reading()) > 0  # before the stop: more

    stop_file(tmp_path).write_text("stopped after 1 root cause (--max-failures 1)")
    workers.decided = 0.0
    workers.tick()

    assert workers.reading().pending == 0
    assert started == []


def test_a_swarms_exit_code_says_the_worst_that_happened() -> None:
    """An interrupt or a broken suite first, then a stop, then a failure; workers that ran nothing change nothing."""
    assert combined([0, 1, 0]) == 1
    assert combined([0, 2, 1]) == 2
    assert combined([1, 3]) == 3
    assert combined([INTERRUPTED, 0]) == INTERRUPTED
    assert combined([5, 0]) == 0
    assert combined([5, 5]) == 5


def test_the_group_watched_may_grow_while_it_runs(tmp_path: Path) -> None:
    """A tick that starts a second child: the watch waits for both and returns both exit codes."""
    children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.6)"])]

    def tick() -> None:
        if len(children) == 1:
            children.append(subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(1)"]))

    assert sorted(watch_group(lambda: children, timeout=30, tick=tick)) == [0, 1]


CHECKS = textwrap.dedent("""
    import os, pytest

    @pytest.fixture(scope="module")
    def module_resource():
        yield "made"
        with open(os.environ["LOG"], "a") as log:
            log.write(f"teardown {os.environ['WORKER']}\\n")

    @pytest.mark.parametrize("n", range(30))
    def test_check(n, module_resource):
        with open(os.environ["LOG"], "a") as log:
            log.write(f"ran {n} {os.environ['WORKER']}\\n")
""")
PLUGIN = textwrap.dedent("""
    import os
    from pathlib import Path
    from harness.conformance.queue import Claims, QueueWorker

    def pytest_configure(config):
        folder = Path(os.environ["CLAIMS"])
        config.pluginmanager.register(QueueWorker(Claims(folder), folder.parent / ("retire-" + os.environ["WORKER"])))
""")


def test_pytest_processes_sharing_a_queue_run_each_check_once_with_fixtures_torn_down(tmp_path: Path) -> None:
    """Three real pytest processes take from one queue: each of 30 checks runs once, each process tears its
    module fixture down once at its end; one retired before it starts takes none."""
    (tmp_path / "test_checks.py").write_text(CHECKS)
    (tmp_path / "queue_plugin.py").write_text(PLUGIN)
    log, claims = tmp_path / "log.txt", claims_folder(tmp_path / "scratch", "concurrent")
    claims.parent.mkdir()
    retire_file(claims.parent, "w3").touch()
    root = str(Path(__file__).resolve().parents[2])
    processes = [
        subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "queue_plugin", "-p", "no:cacheprovider",
                          "-p", "no:randomly", str(tmp_path / "test_checks.py")], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{root}", "LOG": str(log),
                              "CLAIMS": str(claims), "WORKER": worker}, stdout=subprocess.DEVNULL)
        for worker in ("w1", "w2", "w3")
    ]  # fmt: skip

    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0]
    lines = log.read_text().splitlines()
    ran = sorted(int(line.split()[1]) for line in lines if line.startswith("ran "))
    assert ran == list(range(30))
    assert not [line for line in lines if line.endswith(" w3")]  # retired: it took nothing
    # each process that ran checks set its module fixture up once and tore it down once, at its end
    workers = {line.split()[2] for line in lines if line.startswith("ran ")}
    assert sorted(line.split()[1] for line in lines if line.startswith("teardown ")) == sorted(workers)
