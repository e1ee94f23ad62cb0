"""What every Locust process of a load run does besides the scenarios: imported by load/locustfile.py only.

Importing this module imports Locust (which patches the process with gevent): the harness itself
never does; it reads what the scenarios declare with harness/loadtest/scenarios.py instead.

- **Configuration.** Locust gets two custom options. ``--run-config FILE`` is the run's
  configuration (harness/run/config.py), written by the runner and read at start-up by the
  standalone process, the master and local workers. The master puts the configuration without its
  keys into ``--run-config-shared``, which Locust forwards to every worker with the test's start;
  a worker on another machine (``strongly-harness load-worker``) has no file and builds its
  configuration from that, with the key from its own environment. Scenarios read it from their
  environment (``ApiUser.config``), never from a module global.
- **Choosing users.** The master (or the one process) keeps the scenario classes the run asks for:
  the open model's driver alone, or the closed model's scenarios weighted by the profile's ``mix``
  (a scenario that writes is left out of a read-only run). Workers keep every class: the master
  names the ones it dispatches.
- **Recording.** Each process records per route and per second (harness/loadtest/recorder.py); a
  standalone process writes its own file when the test stops, a worker sends its recording to the
  master, which keeps each as a file. The master ends a distributed test itself after the step's
  duration; stopping workers send their recordings before their stop is acknowledged.
- **Requests.** ``ApiUser.call`` sends an ``Endpoint`` of the scenarios' route table, checks the status
  and the body's JSON framing, and validates one answer in ``validate_every`` against the contract.
- **Limits.** Every request of a user, however it is sent, times out after ``--request-timeout``
  (connecting, and each read) and waits for a slot of its process's share of ``--rate-limit``
  (harness/loadtest/pacing.py). ``--deadline`` is the runner's: it shortens the step.
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import dataclass
from json import loads
from pathlib import Path
from typing import Any, ClassVar

import gevent
import locust.stats
from gevent.pool import Pool
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING, MasterRunner, WorkerRunner

from harness import spec
from harness.loadtest import metrics
from harness.loadtest.pacing import Pacer
from harness.loadtest.recorder import WARMUP, Recorder
from harness.run import LoadConfig, LoadData, RunConfig

# Locust buckets whole milliseconds below 100 ms; 10 microsecond buckets keep its own report right.
_coarse = locust.stats.bucket_response_time
locust.stats.bucket_response_time = lambda rt: round(rt, 2) if rt < 100 else _coarse(rt)

CONTRACT = spec.load()
ENDING = (STATE_STOPPING, STATE_STOPPED, STATE_CLEANUP)
RECORDING_MESSAGE = "strongly-recording"
_CONFIG = "strongly_run_config"  # the attribute of the Locust environment that holds the run's configuration
_RECORDER = "strongly_recorder"
_PACER = "strongly_pacer"
_responses = itertools.count(1)


@events.init_command_line_parser.add_listener
def add_options(parser: Any) -> None:
    parser.add_argument(
        "--run-config",
        default="",
        include_in_web_ui=False,
        help="the run's configuration, written by strongly-harness load",
    )
    # set by the master, forwarded by Locust to every worker when the test starts; holds no key
    parser.add_argument("--run-config-shared", default="", include_in_web_ui=False, help=argparse.SUPPRESS)


def config_of(environment: Environment) -> RunConfig:
    """The run's configuration, as this process knows it."""
    config: RunConfig | None = getattr(environment, _CONFIG, None)
    if config is None:
        raise RuntimeError("the run's configuration has not reached this Locust process yet")
    return config


def recorder_of(environment: Environment) -> Recorder:
    """This process's recorder (it listens to every request from the start)."""
    recorder: Recorder = getattr(environment, _RECORDER)
    return recorder


def pacer_of(environment: Environment) -> Pacer | None:
    """The pacer all users of this process share, when the run has a rate limit."""
    pacer: Pacer | None = getattr(environment, _PACER, None)
    return pacer


def _adopt(environment: Environment, config: RunConfig) -> None:
    setattr(environment, _CONFIG, config)
    share = config.require_load().step.rate_limit
    setattr(environment, _PACER, Pacer(share) if share else None)


@events.init.add_listener
def on_init(environment: Environment, **kwargs: Any) -> None:
    runner = environment.runner
    options = environment.parsed_options
    path = getattr(options, "run_config", "") if options is not None else ""
    if path:
        _adopt(environment, RunConfig.read(path))
    elif not isinstance(runner, WorkerRunner):
        raise RuntimeError("the load suite runs through `strongly-harness load` (no --run-config)")
    recorder = Recorder(Path(config_of(environment).require_load().step.recordings) if path else Path("."))
    setattr(environment, _RECORDER, recorder)
    environment.events.request.add_listener(recorder.on_request)
    if isinstance(runner, WorkerRunner):
        environment.events.test_start.add_listener(_worker_receives)
        environment.events.test_stop.add_listener(
            lambda **kw: runner.send_message(RECORDING_MESSAGE, recorder.document())
        )
        return
    config = config_of(environment)
    load = config.require_load()
    if load.metrics_port:  # the master's stats are the merged view
        metrics.serve(environment, load.metrics_port, skip=(WARMUP,))
    choose_users(environment, config)
    if isinstance(runner, MasterRunner):
        options.run_config_shared = config.shared()  # Locust sends it to the workers with the test's start
        runner.register_message(RECORDING_MESSAGE, lambda msg, **kw: recorder.keep(msg.data, msg.node_id))
        environment.events.test_start.add_listener(_end_after_the_step)
    else:
        environment.events.test_stop.add_listener(recorder.write)


def _worker_receives(environment: Environment, **kwargs: Any) -> None:
    """A worker without a file of its own takes the configuration its master forwarded."""
    if getattr(environment, _CONFIG, None) is None:
        _adopt(environment, RunConfig.from_shared(environment.parsed_options.run_config_shared))


def _end_after_the_step(environment: Environment, **kwargs: Any) -> None:
    """Master: end the test after the step's duration."""
    runner = environment.runner

    def stop_after(seconds: float) -> None:
        gevent.sleep(seconds)
        runner.stop()  # workers stop, send their recordings, then acknowledge: ordered on one connection
        runner.quit()

    gevent.spawn(stop_after, config_of(environment).require_load().step.duration)


def choose_users(environment: Environment, config: RunConfig) -> None:
    """Keep the scenario classes the run asks for, weighted by the profile's mix (the master's choice)."""
    load = config.require_load()
    weights: dict[type[ApiUser], int] = {}
    for user in environment.user_classes:
        if not issubclass(user, ApiUser):
            continue
        if load.step.model == "open":
            weights[user] = 1 if user.model == "open" else 0
        elif user.model == "closed" and not (config.readonly and user.writes):
            weights[user] = load.profile.mix.get(user.mix, 0)
    for user, weight in weights.items():
        user.weight = weight
    environment.user_classes[:] = [user for user, weight in weights.items() if weight > 0]
    if not environment.user_classes:
        raise RuntimeError(f"no scenario to run: the profile's mix {load.profile.mix} names none this run may use")


@dataclass(frozen=True)
class Endpoint:
    """One request of the scenarios (method, path, operation): its route name (how SLOs and reports call it) is
    METHOD and path."""

    method: str
    path: str  # with {id} where an id goes
    operation_id: str
    query: str = ""  # a fixed query, e.g. "limit=20"

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, query: str = "", **ids: str) -> str:
        query = query or self.query
        path = self.path.format(**ids) if ids else self.path
        return f"{path}?{query}" if query else path


Route = Endpoint  # its earlier name, so scenario files written against it keep working


def violation(operation_id: str, status: int, body: Any) -> str | None:
    """What is wrong with an answer by the contract's schema, or None; a violation is a failure."""
    validator = CONTRACT.response_validator(operation_id, status)
    if validator is None:
        return None
    error = next(iter(validator.iter_errors(body)), None)
    return None if error is None else f"schema violation in {operation_id} {status}: {error.message[:200]}"


def framed_as_json(content: bytes) -> bool:
    """An object or array from end to end: an HTML error page or a cut-off body is not."""
    stripped = content.strip()
    return stripped[:1] in (b"{", b"[") and stripped[-1:] in (b"}", b"]")


class ApiUser(FastHttpUser):
    """A scenario's base: the run's configuration, its data, and ``call``.

    A scenario declares ``mix`` (its key in a profile's mix), and ``writes = True`` when it creates
    or changes anything (a read-only run leaves it out).
    """

    abstract = True
    model: ClassVar[str] = "closed"
    mix: ClassVar[str] = ""
    writes: ClassVar[bool] = False

    def __init__(self, environment: Environment) -> None:
        # FastHttpUser builds its client in __init__ from these two (60 s each by default), so they are set first;
        # a remote worker has its configuration by now: Locust fires test_start before it spawns users
        limits = config_of(environment).limits
        self.network_timeout = self.connection_timeout = limits.request_timeout
        super().__init__(environment)
        pacer = pacer_of(environment)
        if pacer is not None:  # on the client, so no request of a scenario escapes it (warm-up, self.client, rest)
            send = self.client.request

            def paced(*args: Any, **kwargs: Any) -> Any:
                pacer.wait()
                return send(*args, **kwargs)

            self.client.request = paced  # type: ignore[method-assign]

    @property
    def config(self) -> RunConfig:
        return config_of(self.environment)

    @property
    def load(self) -> LoadConfig:
        return self.config.require_load()

    @property
    def data(self) -> LoadData:
        return self.load.data

    def on_start(self) -> None:
        self.headers = {"X-API-Key": self.config.target.api_key}
        # the first request of a user pays for the connection; it stays out of the SLOs
        self.client.request("GET", "/api/v1/workspaces?limit=1", headers=self.headers, name=WARMUP)

    def due_for_validation(self) -> bool:
        """Every ``validate_every``-th answer of this process is checked against the contract."""
        every = self.load.profile.validate_every
        return bool(every) and next(_responses) % every == 0

    def call(
        self,
        route: Endpoint,
        *,
        query: str = "",
        expect: tuple[int, ...] = (200,),
        json: Any = None,
        context: dict[str, Any] | None = None,
        body: bool = False,
        **ids: str,
    ) -> Any:
        """Send, check the status and the body's JSON framing; parse and validate one answer in N.

        The parsed body comes back only when ``body`` is asked for (or the answer was validated):
        parsing every answer was a third of our overhead over a bare FastHttpUser (benchmarks/).
        """
        name = route.name
        with self.client.request(
            route.method,
            route.url(query, **ids),
            name=name,
            headers=self.headers,
            json=json,
            catch_response=True,
            context=context or {},
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{name} answered {response.status_code}")
                return None
            if response.status_code == 204:
                return None
            content = response.content or b""
            validate = self.due_for_validation()
            if not (body or validate):
                if not framed_as_json(content):
                    response.failure(f"{name} answered a body that is not JSON")
                return None
            try:
                parsed = loads(content)
            except ValueError:
                response.failure(f"{name} answered a body that is not JSON")
                return None
            problem = violation(route.operation_id, response.status_code, parsed) if validate else None
            if problem:
                response.failure(problem)
                return None
            return parsed

    def measured(self, name: str, milliseconds: float) -> None:
        """A measurement that is not a request (time-to-ready), recorded and judged like a route."""
        self.environment.events.request.fire(
            request_type="METRIC", name=name, response_time=milliseconds, response_length=0, exception=None, context={}
        )


class TimetableDriver(ApiUser):
    """Sends the step's rate of requests per second on a timetable, whatever the server does.

    Each request goes in its own greenlet and is timed from when it should have been sent, so a
    stalled server cannot hide behind waiting clients. ``routes`` is the scenarios' route table; the
    profile's ``routes`` weights pick from it.
    """

    abstract = True
    model = "open"
    routes: ClassVar[dict[str, Endpoint]] = {}
    concurrency = 1000  # connections this one user may have in flight

    def wait_time(self) -> float:
        return 0.0

    @task
    def drive(self) -> None:
        weights = self.load.profile.routes
        timetable = [self.routes[key] for key, weight in weights.items() for _ in range(weight)]
        interval = 1.0 / self.load.step.rate
        pool = Pool(2000)
        origin = time.time()
        for sent in itertools.count():
            if self.environment.runner is None or self.environment.runner.state in ENDING:
                return  # the run is stopping: send nothing new, let what is in flight finish
            intended = origin + sent * interval
            delay = intended - time.time()
            if delay > 0:
                gevent.sleep(delay)
            pool.spawn(self.send, timetable[sent % len(timetable)], intended)

    def send(self, route: Endpoint, intended: float) -> None:
        workspaces = self.data.workspaces
        self.call(route, context={"intended": intended}, id=workspaces[hash(intended) % len(workspaces)])
