"""`jembatan demo --serve`: the demo, then the dashboard on 127.0.0.1 with a link that works once."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _get(port: int, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    return response


def test_demo_serve_prints_a_one_time_link_that_signs_the_admin_in() -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "adapters.cli", "demo", "--members", "8", "--rounds", "1"]
    process = subprocess.Popen(
        [*command, "--serve", "--port", "0"], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        link = None
        for line in process.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)(/signin/\S+)", line)
            if found:
                link = (int(found.group(1)), found.group(2))
                break
        assert link is not None, "no sign-in link printed"
        port, path = link
        assert _get(port, "/").status == 401
        signed = _get(port, path)
        assert signed.status == 303
        cookie = signed.getheader("Set-Cookie", "").split(";")[0]
        home = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        home.request("GET", "/", headers={"Cookie": cookie})
        page = home.getresponse().read().decode()
        assert "Program in jembatan-pairs" in page and "Admin Ratna" in page
        assert _get(port, path).status == 403  # the link worked once
    finally:
        process.terminate()
        process.wait(timeout=30)
