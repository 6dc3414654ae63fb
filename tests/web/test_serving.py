"""`barometer serve` bounds its clients: half-sent headers time out, connections are capped below the file
descriptor limit so a flood of them cannot lock real clients out, and slow work (compressing, streaming a large
answer) runs off the event loop."""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from barometer.cli import app as cli
from barometer.web import WebSettings, create_app
from barometer.web import cache as cache_module
from barometer.web import stream as stream_module
from barometer.web.settings import ServeLimits

from .sample_release import publish_sample
from .server import free_port

PARTIAL = b"GET /api/v1/areas HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "  # the header never ends


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of its own: other tests publish into and switch the shared sample store while servers start."""
    path = tmp_path_factory.mktemp("serving-store")
    publish_sample(path)
    return path


def _serve(store: Path, port: int, *options: str, fd_limit: int | None = None,
           env: dict[str, str] | None = None) -> subprocess.Popen:
    barometer = Path(sys.executable).with_name("barometer")

    def limit() -> None:
        if fd_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    return subprocess.Popen([str(barometer), "--store", str(store), "serve", "--port", str(port), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit,
                            env={**_clean_env(), **(env or {})})


def _clean_env() -> dict[str, str]:
    """This process's environment less BAROMETER_* (an in-process `serve` test may have set them: the server
    must follow only the options given here)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BAROMETER_")}


def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/v1/areas/851", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"server did not start: {proc.communicate()[1].decode()[-2000:]}")


def _closed(sock: socket.socket) -> bool:
    """True when the server has closed the connection (EOF or reset), False when it is still open."""
    sock.settimeout(0)
    try:
        while sock.recv(65536):  # the rest of an answer may still be waiting to be read
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.decode(errors="replace")


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_partial_headers_neither_exhaust_descriptors_nor_lock_clients_out(store, parser):
    """200 connections that send half a header, against a worker allowed only 160 file descriptors (and a listen
    backlog of 32): without the cap it runs out of descriptors (accept() fails, and logs a traceback each time);
    with it a real client is still answered at once, and the half-open connections are closed when their header
    time is up."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(store, port, "--workers", "1", "--header-timeout", "5", fd_limit=160,
                  env={"BAROMETER_BACKLOG": "32", "BAROMETER_HTTP": parser})
    socks: list[socket.socket] = []
    try:
        _wait_ready(base, proc)
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(PARTIAL)
            socks.append(s)
        time.sleep(0.5)  # let the server accept them all
        start = time.monotonic()
        r = httpx.get(base + "/api/v1/areas/851", timeout=10)
        answered = time.monotonic() - start
        assert r.status_code == 200 and r.json()["data"]["code"] == "851"
        # well before the half-open connections time out (5 s): the client was let in, not left to wait them out
        assert answered < 3, f"a real client waited {answered:.2f} s behind half-open connections"
        held = [s for s in socks if not _closed(s)]
        assert 0 < len(held) <= 160 - 64 - 32  # the cap: the descriptor limit less a reserve and one backlog
        time.sleep(max(0.0, 6.5 - (time.monotonic() - start)))  # header timeout (5 s) and a margin
        assert not [s for s in held if not _closed(s)], "half-open connections outlived the header timeout"
        assert httpx.get(base + "/api/v1/areas/851", timeout=10).status_code == 200
    finally:
        for s in socks:
            s.close()
        err = _stop(proc)
    assert "Traceback" not in err and "accept" not in err, err[-2000:]


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_a_kept_alive_connection_gets_no_endless_second_header(store, parser):
    port = free_port()
    proc = _serve(store, port, "--workers", "1", "--header-timeout", "1", "--keep-alive", "30",
                  env={"BAROMETER_HTTP": parser})
    try:
        _wait_ready(f"http://127.0.0.1:{port}", proc)
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"GET /api/v1/areas/851 HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(10)
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
            s.sendall(PARTIAL)  # keep-alive allows 30 s idle, but a started header must end within 1 s
            time.sleep(2.5)
            assert _closed(s)
        with socket.create_connection(("127.0.0.1", port)) as s:  # idle keep-alive is still allowed its time
            s.sendall(b"GET /api/v1/areas/851 HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(10)
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(2.5)
            assert not _closed(s)
    finally:
        _stop(proc)


def test_serve_refuses_bad_limits(store):
    result = CliRunner().invoke(cli, ["--store", str(store), "serve", "--header-timeout", "0"])
    assert result.exit_code == 2 and "--header-timeout" in result.output


def test_limits_come_from_the_environment_or_the_defaults(monkeypatch):
    for name in [k for k in os.environ if k.startswith("BAROMETER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BAROMETER_HEADER_TIMEOUT", "3.5")
    limits = ServeLimits.resolve()
    assert limits.header_timeout == 3.5 and limits.workers == max(1, min(2, os.cpu_count() or 1))
    monkeypatch.setenv("BAROMETER_MAX_CONNECTIONS", "many")
    with pytest.raises(ValueError, match="BAROMETER_MAX_CONNECTIONS"):
        ServeLimits.resolve()


def _off_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def test_large_answers_are_compressed_and_rendered_off_the_event_loop(store, monkeypatch):
    """By mechanism: gzip of a cached answer and each chunk of a streamed answer run where no event loop runs
    (a worker thread), so a large first answer cannot stall the other clients."""
    seen: dict[str, list[bool]] = {"gzip": [], "chunk": []}
    compress, chunks = cache_module._compressed, stream_module._chunks

    def compressed(*args):
        seen["gzip"].append(_off_loop())
        return compress(*args)

    def chunked(rows):
        for chunk in chunks(rows):
            seen["chunk"].append(_off_loop())
            yield chunk

    monkeypatch.setattr(cache_module, "_compressed", compressed)
    monkeypatch.setattr(stream_module, "_chunks", chunked)
    client = TestClient(create_app(WebSettings(store=store)))
    assert client.get("/api/v1/observations?format=csv").status_code == 200
    assert client.get("/kommune/851").status_code == 200
    assert len(seen["chunk"]) > 3 and all(seen["chunk"])
    assert len(seen["gzip"]) >= 1 and all(seen["gzip"])


async def _nodelay_of_accepted_connection(http: str | type) -> int:
    """TCP_NODELAY of the connection a uvicorn server with protocol `http` accepts on the listening socket uvicorn
    binds for several workers (Config.bind_socket: protocol number 0), read from the server's side."""
    import uvicorn

    async def app(scope, receive, send):  # pragma: no cover - no request is sent
        raise AssertionError("no request expected")

    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), http=http, log_level="warning", lifespan="off")
    sock = config.bind_socket()
    assert sock.proto == 0  # the premise: asyncio sets TCP_NODELAY only when the protocol number is TCP
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        _reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        while not server.server_state.connections:
            await asyncio.sleep(0.01)
        (connection,) = server.server_state.connections
        value = connection.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return value
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_connections_send_at_once_with_several_workers(parser):
    """With several workers uvicorn's own protocols leave Nagle's algorithm on (each answer then waits ~40 ms for
    the client's delayed ACK: 730 instead of 16,000 requests/s in benchmarks/web.py); ours turn it off."""
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from barometer.web.serving import PROTOCOLS

    plain = {"httptools": HttpToolsProtocol, "h11": H11Protocol}[parser]
    assert asyncio.run(_nodelay_of_accepted_connection(plain)) == 0
    assert asyncio.run(_nodelay_of_accepted_connection(PROTOCOLS[parser])) != 0
