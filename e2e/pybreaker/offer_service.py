"""offer's packaged jar as a real process on 127.0.0.1, on a free port, stopped by its PID."""

import json
import os
import pathlib
import re
import subprocess
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP = ROOT / "offer/target/quarkus-app"
JAR = APP / "quarkus-run.jar"
LOGS = ROOT / "e2e/target/logs"
LISTENING = re.compile(r"Listening on: http://127\.0\.0\.1:(\d+)")

# Never through a proxy from the environment: every call of the test goes to 127.0.0.1.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def java():
    """The java of OFFER_JAVA (the Maven IT passes its own), else of JAVA_HOME, else the one on the PATH."""
    if os.environ.get("OFFER_JAVA"):
        return os.environ["OFFER_JAVA"]
    if os.environ.get("JAVA_HOME"):
        return str(pathlib.Path(os.environ["JAVA_HOME"]) / "bin/java")
    return "java"


def get_json(url, timeout=10):
    with HTTP.open(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=timeout) as answer:
        return json.load(answer)


class OfferService:

    def __init__(self, name, env):
        if not JAR.is_file():
            raise RuntimeError(f"{JAR} is missing: package the services first "
                               "(./mvnw -B -q package -DskipTests -pl partner-offer,offer -am)")
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{name}.log"
        with open(self.log, "wb") as log:
            # As the images run it (and e2e's ServiceProcess): from its folder, with the AOT cache -Daot trained.
            aot = ["-XX:AOTCache=app.aot"] if (APP / "app.aot").is_file() else []
            self._process = subprocess.Popen(
                [java(), "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0", *aot, "-jar", "quarkus-run.jar"],
                cwd=APP, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **env})
        try:
            self.url = f"http://127.0.0.1:{self._await_port(60)}"
            self._await_ready(60)
        except BaseException:
            self.close()
            raise

    def offer(self):
        return get_json(self.url + "/offers")

    def circuit(self):
        return get_json(self.url + "/circuit")

    def close(self):
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _await_ready(self, seconds):
        """As a load balancer does: callers come once offer reports ready, warmed up (its WarmUp class)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if get_json(self.url + "/q/health/ready")["status"] == "UP":
                    return
            except urllib.error.HTTPError as not_yet:
                if not_yet.code != 503:
                    raise
            time.sleep(0.01)
        raise RuntimeError(f"offer not ready after {seconds} s, see {self.log}")

    def _await_port(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"offer exited with {self._process.returncode}:\n{self.log.read_text()}")
            found = LISTENING.search(self.log.read_text(errors="replace"))
            if found:
                return int(found.group(1))
            time.sleep(0.1)
        raise RuntimeError(f"offer not listening after {seconds} s, see {self.log}")
