"""The French and Arabic catalogues match the code: ``makemessages``, run on a scratch copy of the
sources, marks none of their entries obsolete (``#~``: an entry left behind when its sentence
changed is dead weight that translators keep updating), and finds no message the code marks for
translation without a French and an Arabic text (an untranslated or fuzzy entry would show
English in the middle of a French or Arabic page)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("api", "config", "matchmaking", "ml")


def _msgids(po: Path, *flags: str) -> list[str]:
    """The msgids ``msgattrib`` keeps with ``flags`` (header left out)."""
    out = subprocess.run(
        ["msgattrib", *flags, "--no-obsolete", "--no-wrap", str(po)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [
        line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""'
    ]


def test_catalogues_match_the_code(tmp_path):
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

    unused, missing = {}, {}
    for lang in ("fr", "ar"):
        po = tmp_path / "matchmaking" / "locale" / lang / "LC_MESSAGES" / "django.po"
        lines = po.read_text(encoding="utf-8").splitlines()
        unused[lang] = [line[9:] for line in lines if line.startswith("#~ msgid ")]
        missing[lang] = _msgids(po, "--untranslated") + _msgids(po, "--only-fuzzy")
    assert unused == {"fr": [], "ar": []}
    assert missing == {"fr": [], "ar": []}
