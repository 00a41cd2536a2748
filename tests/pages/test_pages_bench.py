"""The console benchmark still runs (it answered 403 on every page once organiser teams came:
its organiser account was on no team). Tiny sizes: this checks the command, not the speed."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_pages_benchmark_runs_and_every_page_answers(tmp_path: Path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "matchmaking.pages.bench",
            "--participants",
            "80",
            "--meetings",
            "150",
            "--repeat",
            "1",
            "--db",
            str(tmp_path / "bench.sqlite3"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        # its own SQLite file, whatever database the suite runs on
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "slowest page:" in done.stdout
    assert done.stdout.count("\n") >= 12  # the header, ten pages and the verdict
