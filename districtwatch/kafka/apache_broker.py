"""Apache Kafka in KRaft mode, one node on loopback, for what the embedded broker cannot prove.

The demo and the fast tests run on Tansu (``districtwatch.kafka.embedded_broker``), which keeps records
in memory and gives at-least-once semantics. Users run Apache Kafka, so the guarantees districtwatch
promises (records survive a broker restart, consumer groups resume from committed offsets) are tested
on the real broker.

Kafka is not on PyPI. Its jars are on Maven Central, so the first start resolves the broker's runtime
classpath with Maven into a cache (``~/.cache/districtwatch/kafka/<version>/lib``). Later starts run
``java -cp`` on the cached jars, without Maven and without network. Only Java 17+ is needed then, and
Maven only on a machine that has no cache yet.

One broker is one work directory::

    <workdir>/server.properties   written on every start (same ports on a restart)
    <workdir>/log4j2.xml          logging to kafka.log, nothing on the terminal
    <workdir>/kafka.log           the broker's log; the first place to look when it does not start
    <workdir>/jvm.log             the JVM's own stdout and stderr (the storage format, crashes)
    <workdir>/data/               log.dirs: topics, consumer offsets and the KRaft metadata log

``stop()`` keeps the work directory so that ``start()`` brings the same broker back with its data, on
the same ports; ``close()`` (and leaving the ``with`` block) also removes it if the launcher made it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape

from districtwatch.errors import BrokerError
from districtwatch.kafka.embedded_broker import free_port

KAFKA_VERSION = "4.3.1"
"""The Apache Kafka release the launcher runs.

4.x because it is what current deployments run, and because 4.0 removed the old protocol versions
(KIP-896): that removal is what breaks an outdated client, so the tests must see it. Faust-streaming
tests itself on 4.x with aiokafka 0.14. 4.3.1 is the newest line that has had a patch release (4.4.0 is
a .0); it needs Java 17, which 4.x brokers need anyway. The docker-compose Kafka should use the same.
"""

LOG4J_VERSION = "2.25.4"
"""The log4j2 that Kafka 4.3.1 depends on. Kafka's pom brings log4j-core but no SLF4J binding (its
tarball adds one), so the generated pom adds ``log4j-slf4j-impl`` and pins api, core and binding to one
version; without a binding the broker's SLF4J logging is silently dropped."""

MAVEN_DEPENDENCY_PLUGIN = "3.8.1"
"""Pinned: Maven 3.8's default dependency plugin is old, and a pinned one resolves the same jars
everywhere."""

READY_TOPIC = "_districtwatch_ready"
"""Created on every start: a topic creation that returns a partition leader proves that the
controller and the broker both serve, which an open port alone does not."""

_STORAGE_TOOL_CLASSES = ("kafka.tools.StorageTool", "org.apache.kafka.tools.StorageTool")
"""Where the storage tool lives: in core up to at least 4.3, in the tools module in some releases."""

_MIN_JAVA = 17


class KafkaUnavailable(BrokerError):
    """Apache Kafka cannot run here: java or mvn is missing, or java is too old; the message says which.

    Not retriable: installing software is not something a retry does. Tests skip on it.
    """

    retriable = False


def default_cache_dir() -> Path:
    """``~/.cache/districtwatch/kafka``: one subdirectory per Kafka version, shared by every checkout."""
    return Path.home() / ".cache" / "districtwatch" / "kafka"


def java_major_version(java: str = "java") -> int | None:
    """The major version of ``java`` (17 for 17.0.15, 8 for 1.8.0), or None if it does not run."""
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _cached_classpath(version_dir: Path) -> list[Path] | None:
    """The jars of a complete earlier resolution, or None; ``classpath.txt`` is written last."""
    manifest = version_dir / "classpath.txt"
    if not manifest.is_file():
        return None
    jars = [version_dir / "lib" / name for name in manifest.read_text().split()]
    if not jars or not all(jar.is_file() for jar in jars):
        return None
    return jars


def kafka_available(
    version: str = KAFKA_VERSION, cache_dir: Path | None = None, *, java: str = "java", mvn: str = "mvn"
) -> str | None:
    """Why Apache Kafka cannot run here, or None if it can.

    Maven counts only while the classpath is not cached: a machine that resolved it once can run Kafka
    without Maven.
    """
    if shutil.which(java) is None:
        return f"`{java}` not found on PATH: Apache Kafka {version} needs Java {_MIN_JAVA}+"
    major = java_major_version(java)
    if major is None:
        return f"`{java} -version` did not report a version"
    if major < _MIN_JAVA:
        return f"`{java}` is Java {major}: Apache Kafka {version} needs Java {_MIN_JAVA}+"
    version_dir = (cache_dir or default_cache_dir()) / version
    if _cached_classpath(version_dir) is None and shutil.which(mvn) is None:
        return f"`{mvn}` not found on PATH, and no cached Kafka {version} classpath in {version_dir}"
    return None


def _pom(version: str) -> str:
    logging = "".join(
        f"<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{LOG4J_VERSION}</version></dependency>\n    "
        for artifact in ("log4j-api", "log4j-core", "log4j-slf4j-impl")
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by districtwatch.kafka.apache_broker: the runtime classpath of Apache Kafka {version}. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.districtwatch</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>{version}</version></dependency>
    {logging}</dependencies>
</project>
"""


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path``, so two test sessions never resolve into one cache at once."""
    import fcntl  # POSIX only; imported here so that importing this module works everywhere

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def resolve_classpath(
    version: str = KAFKA_VERSION, cache_dir: Path | None = None, *, mvn: str = "mvn", timeout: float = 900.0
) -> list[Path]:
    """The jars that run Apache Kafka ``version``, resolved with Maven once and then read from the cache.

    Maven copies the jars into ``<cache_dir>/<version>/lib``, so the cache does not depend on
    ``~/.m2`` staying around. A resolution that fails half way leaves no ``classpath.txt`` and is
    redone next time.
    """
    version_dir = (cache_dir or default_cache_dir()) / version
    cached = _cached_classpath(version_dir)
    if cached is not None:
        return cached
    mvn_path = shutil.which(mvn)
    if mvn_path is None:
        raise KafkaUnavailable(
            f"`{mvn}` not found on PATH: it is needed once, to fetch Apache Kafka {version}"
        )
    version_dir.mkdir(parents=True, exist_ok=True)
    with _locked(version_dir / ".lock"):
        cached = _cached_classpath(version_dir)  # another process may have finished meanwhile
        if cached is not None:
            return cached
        pom = version_dir / "pom.xml"
        pom.write_text(_pom(version))
        partial = version_dir / "lib.partial"
        shutil.rmtree(partial, ignore_errors=True)
        command = [
            mvn_path,
            "-B",
            "-q",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            f"org.apache.maven.plugins:maven-dependency-plugin:{MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
            f"-DoutputDirectory={partial}",
            "-DincludeScope=runtime",
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            raise BrokerError(f"Maven did not resolve Apache Kafka {version} within {timeout:.0f} s") from exc
        jars = sorted(partial.glob("*.jar")) if partial.is_dir() else []
        if result.returncode != 0 or not jars:
            output = (result.stdout + result.stderr).strip().splitlines()
            detail = "\n".join(output[-20:]) or f"exit status {result.returncode}, no jars"
            raise BrokerError(f"Maven could not resolve Apache Kafka {version} ({pom}):\n{detail}")
        lib = version_dir / "lib"
        shutil.rmtree(lib, ignore_errors=True)
        partial.rename(lib)
        manifest = version_dir / "classpath.txt"
        manifest.with_suffix(".partial").write_text("".join(f"{jar.name}\n" for jar in jars))
        manifest.with_suffix(".partial").replace(manifest)
        return [lib / jar.name for jar in jars]


def find_main_class(classpath: list[Path], candidates: tuple[str, ...]) -> str:
    """The first of ``candidates`` that a jar on ``classpath`` contains (classes move between releases)."""
    entries = {name.replace(".", "/") + ".class": name for name in candidates}
    found: set[str] = set()
    for jar in classpath:
        if not jar.name.startswith("kafka"):
            continue
        with zipfile.ZipFile(jar) as archive:
            found.update(entries[n] for n in archive.namelist() if n in entries)
    for name in candidates:
        if name in found:
            return name
    raise BrokerError(f"none of {', '.join(candidates)} is on the Kafka classpath")


def cluster_id() -> str:
    """A new KRaft cluster id: 16 random bytes in URL-safe base64, as ``kafka-storage random-uuid``.

    Never one that starts with "-": the storage tool would read it as an option and refuse to format
    ("argument --cluster-id/-t: expected one argument"), which one id in 64 did. Kafka's own generator
    draws again in that case too.
    """
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVM binds: TIME_WAIT is fine
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _log4j2_config(log_file: Path) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by districtwatch.kafka.apache_broker: the broker logs to a file, never to the terminal.
     No shutdown hook: the appender flushes every line, and the hook warns when Kafka logs late. -->
<Configuration status="warn" shutdownHook="disable">
  <Appenders>
    <File name="file" fileName="{escape(str(log_file))}" append="true">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="warn"/>
    <Root level="info"><AppenderRef ref="file"/></Root>
  </Loggers>
</Configuration>
"""


@dataclass
class KafkaBroker:
    """One Apache Kafka node (broker and controller) on loopback; a context manager, or start()/close().

    Ports left at 0 are picked free on the first start and kept for restarts, so the bootstrap address
    a client holds stays valid across ``restart()``.
    """

    host: str = "127.0.0.1"
    port: int = 0
    controller_port: int = 0
    version: str = KAFKA_VERSION
    data_dir: Path | None = None
    """Work directory to use and keep; None: a temporary one, removed by close()."""
    cache_dir: Path | None = None
    partitions: int = 1
    """num.partitions: the partition count of auto-created topics."""
    auto_create_topics: bool = True
    heap: str = "512m"
    java: str = "java"
    mvn: str = "mvn"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    workdir: Path | None = field(default=None, repr=False)
    _owns_workdir: bool = field(default=False, repr=False)
    _classpath: list[Path] = field(default_factory=list, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        """The broker's log file, once a work directory exists."""
        return self.workdir / "kafka.log" if self.workdir else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 120.0) -> KafkaBroker:
        """Start the broker (first start: resolve, format) and return once a client can create a topic.

        ``timeout`` covers the broker, not the one-off Maven resolution, which has its own.
        """
        if self.running:
            return self
        reason = kafka_available(self.version, self.cache_dir, java=self.java, mvn=self.mvn)
        if reason is not None:
            raise KafkaUnavailable(reason)
        if not self._classpath:
            self._classpath = resolve_classpath(self.version, self.cache_dir, mvn=self.mvn)
        if self.workdir is None:
            if self.data_dir is not None:
                self.workdir = self.data_dir
                self.workdir.mkdir(parents=True, exist_ok=True)
            else:
                self.workdir = Path(tempfile.mkdtemp(prefix="districtwatch-kafka-"))
                self._owns_workdir = True
        # Free ports are picked, then bound by the JVM a second later; another process can take one in
        # between. A new broker then retries on other free ports; a restart keeps its ports and fails.
        picked = (self.port == 0, self.controller_port == 0)
        attempts = 3 if any(picked) and not self._formatted() else 1
        try:
            for attempt in range(attempts):
                self._pick_ports()
                try:
                    self._launch(timeout)
                    return self
                except _PortTaken:
                    self.stop()
                    if attempt == attempts - 1:
                        raise
                    self.port = 0 if picked[0] else self.port
                    self.controller_port = 0 if picked[1] else self.controller_port
        except BaseException:  # Ctrl-C while waiting included: never leave a JVM behind
            self.stop()
            raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pick_ports(self) -> None:
        if self.port == 0:
            self.port = free_port(self.host)
        while self.controller_port in (0, self.port):
            self.controller_port = free_port(self.host)

    def _formatted(self) -> bool:
        return self.workdir is not None and (self.workdir / "data" / "meta.properties").is_file()

    def _launch(self, timeout: float) -> None:
        assert self.workdir is not None
        for port in (self.port, self.controller_port):
            if not _port_is_free(self.host, port):
                raise _PortTaken(f"port {self.host}:{port} is already in use")
        properties = self.workdir / "server.properties"
        properties.write_text(self._server_properties())
        log_config = self.workdir / "log4j2.xml"
        log_config.write_text(_log4j2_config(self.workdir / "kafka.log"))
        if not self._formatted():
            self._format(properties, log_config)
        command = [
            self.java,
            "-Xms64m",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log_config}",
            f"-Dkafka.logs.dir={self.workdir}",
            "-cp",
            os.pathsep.join(str(jar) for jar in self._classpath),
            "kafka.Kafka",
            str(properties),
        ]
        with open(self.workdir / "jvm.log", "ab") as jvm_log:
            self.process = subprocess.Popen(
                command,
                stdout=jvm_log,
                stderr=jvm_log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop it in order
            )
        self._wait_ready(timeout)

    def _server_properties(self) -> str:
        assert self.workdir is not None
        controller = f"{self.host}:{self.controller_port}"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            # A static quorum of one voter: valid on every KRaft release, needs no --standalone format
            # and no quorum reconfiguration when the node comes back.
            "controller.quorum.voters": f"1@{controller}",
            "listeners": f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{controller}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.workdir / "data"),
            "num.partitions": str(self.partitions),
            "auto.create.topics.enable": str(self.auto_create_topics).lower(),
            # One node: every internal topic has one replica. A few partitions instead of 50 make the
            # first consumer group and the first transaction ready in milliseconds, not seconds.
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        header = f"# Generated by districtwatch.kafka.apache_broker for Apache Kafka {self.version}.\n"
        return header + "".join(f"{key}={value}\n" for key, value in settings.items())

    def _format(self, properties: Path, log_config: Path) -> None:
        """Write the KRaft metadata for a new cluster; done once, a restart keeps the cluster id."""
        assert self.workdir is not None
        tool = find_main_class(self._classpath, _STORAGE_TOOL_CLASSES)
        command = [
            self.java,
            "-Xmx256m",
            f"-Dlog4j2.configurationFile={log_config}",
            "-cp",
            os.pathsep.join(str(jar) for jar in self._classpath),
            tool,
            "format",
            "-t",
            cluster_id(),
            "-c",
            str(properties),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        with open(self.workdir / "jvm.log", "a") as jvm_log:
            jvm_log.write(result.stdout + result.stderr)
        if result.returncode != 0:
            detail = (result.stdout + result.stderr).strip()
            raise BrokerError(f"formatting Kafka storage in {self.workdir} failed:\n{detail}")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self._raise_if_exited()
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise BrokerError(
                        f"Kafka did not listen on {self.bootstrap_servers} within {timeout:.0f} s; "
                        f"see {self.log_path}"
                    ) from None
                time.sleep(0.05)
        remaining = max(deadline - time.monotonic(), 1.0)
        # aiokafka needs an event loop; a worker thread gets its own, so start() also works when the
        # caller is inside one (an async test or fixture).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-ready") as pool:
            problem = pool.submit(asyncio.run, _ready_problem(self.bootstrap_servers, remaining)).result()
        if problem is not None:
            self._raise_if_exited()
            raise BrokerError(
                f"Kafka on {self.bootstrap_servers} did not serve within {timeout:.0f} s ({problem}); "
                f"see {self.log_path}"
            )

    def _raise_if_exited(self) -> None:
        if self.process is None or self.process.poll() is None:
            return
        assert self.workdir is not None
        log = _tail(self.workdir / "kafka.log") + "\n" + _tail(self.workdir / "jvm.log")
        message = f"Kafka exited with status {self.process.returncode} while starting:\n{log.strip()}"
        if "BindException" in log or "Address already in use" in log:
            raise _PortTaken(message)
        raise BrokerError(message)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the JVM (SIGTERM: a clean shutdown; SIGKILL after ``timeout``); keep data and ports."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, timeout: float = 120.0) -> KafkaBroker:
        """Stop and start the same broker: same ports, same data, same cluster."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """Stop, and remove the work directory if the launcher created it."""
        self.stop()
        if self._owns_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._owns_workdir = False

    def rss_bytes(self) -> int | None:
        """Resident memory of the broker's JVM (Linux only; None elsewhere or when it is not running)."""
        if self.process is None or self.process.poll() is not None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) * 1024 if match else None

    def __enter__(self) -> KafkaBroker:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _PortTaken(BrokerError):
    """A port the broker needs was taken before the JVM bound it; retried on new ports if we picked them."""


async def _ready_problem(bootstrap_servers: str, seconds: float) -> str | None:
    """None once a client can create :data:`READY_TOPIC` and sees its leader, else the last problem."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import KafkaError

    topic_already_exists = 36
    problem = "no answer"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await admin.start()
            created = await admin.create_topics(
                [NewTopic(READY_TOPIC, num_partitions=1, replication_factor=1)]
            )
            errors = [code for _, code, *_ in created.topic_errors if code not in (0, topic_already_exists)]
            if errors:
                problem = f"creating {READY_TOPIC} returned error code {errors[0]}"
            else:
                (described,) = await admin.describe_topics([READY_TOPIC])
                leaders = [p["leader"] for p in described["partitions"]]
                if described["error_code"] == 0 and leaders and all(leader >= 0 for leader in leaders):
                    return None
                problem = f"{READY_TOPIC} has no leader yet"
        except (KafkaError, OSError, TimeoutError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        finally:
            await admin.close()
        await asyncio.sleep(0.2)
    return problem
