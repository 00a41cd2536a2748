"""The French and Arabic catalogues hold only messages the code still uses: ``makemessages``,
run on a scratch copy of the sources, marks none of their entries obsolete (``#~``). An entry
left behind when its sentence changed is dead weight that translators keep updating."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("api", "config", "matchmaking", "ml")


def test_no_catalogue_entry_is_unused(tmp_path):
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "ar", "--no-wrap"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )

    unused = {}
    for lang in ("fr", "ar"):
        po = tmp_path / "matchmaking" / "locale" / lang / "LC_MESSAGES" / "django.po"
        lines = po.read_text(encoding="utf-8").splitlines()
        unused[lang] = [line[9:] for line in lines if line.startswith("#~ msgid ")]
    assert unused == {"fr": [], "ar": []}
