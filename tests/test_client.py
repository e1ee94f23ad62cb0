"""The HTTP client: redacted exchange records, 429 handling, rate limiting, read-only guard."""

from __future__ import annotations

import http.server
import socketserver
import threading

import httpx
import pytest

from harness.client import ApiClient, ExchangeLog, HungRoutes, RateLimiter, ReadOnlyViolationError
from harness.redact import Redactor
from harness.transport import retry_after


def client(handler: object, *, readonly: bool = False, log: ExchangeLog | None = None) -> ApiClient:
    return ApiClient(
        "http://target.test",
        "the-key",
        redactor=Redactor(["the-key"]),
        readonly=readonly,
        log=log or ExchangeLog(),
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
    )


def test_exchanges_are_recorded_redacted_with_a_curl_line() -> None:
    """Each exchange is logged with its operation, status and a curl line that hides the key."""
    log = ExchangeLog()
    api = client(lambda request: httpx.Response(200, json={"echo": request.headers["x-api-key"]}), log=log)

    api.get("/api/v1/workspaces/ws_1/status")

    [exchange] = log.take()
    assert (exchange.operation_id, exchange.status) == ("getWorkspaceStatus", 200)
    assert "the-key" not in exchange.curl() + str(exchange.response_body) + str(exchange.request_headers)
    assert exchange.curl().lower().startswith("curl -x get -h 'x-api-key: [redacted]'")
    assert log.per_operation["getWorkspaceStatus"] == 1


def test_429_is_retried_after_the_given_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 with Retry-After is waited out and retried; the retry's answer is returned."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={})])
    slept: list[float] = []
    monkeypatch.setattr("harness.transport.time.sleep", slept.append)

    response = client(lambda request: next(answers)).get("/api/v1/projects")

    assert response.status_code == 200
    assert slept == [2.0]


@pytest.mark.parametrize(("header", "delay"), [("5", 5.0), ("junk", 1.0), ("-3", 0.0), ("3600", 30.0)])
def test_retry_after_is_read_sensibly(header: str, delay: float) -> None:
    """Retry-After seconds are honoured, bounded to 0..30, and default to 1 when unreadable."""
    assert retry_after(httpx.Response(429, headers={"Retry-After": header})) == delay


def test_read_only_clients_refuse_to_write() -> None:
    """A read-only client raises before sending anything but GET."""
    sent: list[httpx.Request] = []
    api = client(lambda request: sent.append(request) or httpx.Response(200, json={}), readonly=True)

    with pytest.raises(ReadOnlyViolationError):
        api.post("/api/v1/projects", json={})
    api.get("/api/v1/projects")

    assert [request.method for request in sent] == ["GET"]


def test_the_rate_limiter_spaces_requests_evenly() -> None:
    """At 4 per second, back-to-back requests are spaced 0.25 s apart."""
    now, slept = [10.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()

    assert slept == [0.25, 0.25, 0.25]


def test_a_client_for_another_key_keeps_every_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """with_key sends through the same layers (transport, recording, retries, pacing, hung routes), only the key
    differs, and closing it leaves the first client working."""
    slept: list[float] = []
    monkeypatch.setattr("harness.transport.time.sleep", slept.append)
    paced: list[str] = []
    limiter = RateLimiter(1000)
    monkeypatch.setattr(limiter, "wait", lambda: paced.append("slot"))
    hung = HungRoutes(short=0.5)
    hung.timed_out("listProjects")
    seen: list[tuple[str | None, float]] = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get("x-api-key"), request.extensions["timeout"]["read"]))
        return next(answers)

    log = ExchangeLog()
    first = ApiClient(
        "http://target.test",
        "the-key",
        redactor=Redactor(["the-key", "other-key"]),
        log=log,
        limiter=limiter,
        hung=hung,
        timeout=10.0,
        transport=httpx.MockTransport(handler),
    )

    with first.with_key("other-key") as other:
        assert other.get("/api/v1/projects").status_code == 200

    assert seen == [("other-key", 0.5), ("other-key", 0.5)]
    assert (slept, paced) == ([3.0], ["slot", "slot"])
    assert [(exchange.status, exchange.request_headers["x-api-key"]) for exchange in log.take()] == [
        (429, "[REDACTED]"),
        (200, "[REDACTED]"),
    ]
    answers = iter([httpx.Response(200, json={})])
    assert first.get("/api/v1/projects").status_code == 200
    assert seen[-1] == ("the-key", 0.5)


def test_requests_go_through_the_proxy_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a transport of its own the client still uses HTTP_PROXY, as a plain httpx client does, and records."""
    asked: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socketserver.TCPServer(("127.0.0.1", 0), Proxy) as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        log = ExchangeLog()
        with ApiClient("http://target.test", "the-key", redactor=Redactor(["the-key"]), log=log) as api:
            assert api.get("/api/v1/projects").status_code == 200
        proxy.shutdown()

    assert asked == ["http://target.test/api/v1/projects"]
    assert [exchange.operation_id for exchange in log.take()] == ["listProjects"]
