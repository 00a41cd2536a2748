"""Lexical signal: TF-IDF on words and on character n-grams (char_wb 3-5), fitted per event."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["STOP_WORDS", "LexicalModel", "fold"]

# Small function-word lists for the three languages of the platform.
STOP_WORDS = frozenset(
    """
a an and are as at be by for from has have in is it its of on or our that the their this to we
with you your us will can who which into also more need needs looking seek seeking provide
provides offer offers
le la les un une des du de d l et ou en au aux pour par sur dans avec nous vous notre nos votre
vos est sont qui que qu ce cette ces se sa son ses leur leurs plus pas ne il elle ils elles
cherchons recherchons proposons souhaitons offrons
في من على إلى الى عن مع هذا هذه ذلك التي الذي و أو او ل ب نحن نبحث نقدم لدينا كما أن ان
""".split()  # noqa: SIM905
)

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def fold(text: str) -> str:
    """Lower-case, strip Latin accents and Arabic diacritics/tatweel, unify alef/ya/ta marbuta."""
    if text.isascii():  # nothing to strip or unify (most English phrases): the same, faster
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff")
    text = _ARABIC_DIACRITICS.sub("", unicodedata.normalize("NFKC", text))
    text = re.sub("[إأآا]", "ا", text).replace("ى", "ي").replace("ة", "ه")
    return text


class LexicalModel:
    """Word and char_wb(3-5) TF-IDF models fitted on one event's corpus."""

    def __init__(self, min_df: int = 1):
        # scikit-learn is imported here, not at module level: the web process imports this
        # module (for ``fold``, through the taxonomy) and should start fast.
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.word = TfidfVectorizer(
            preprocessor=fold,
            token_pattern=r"(?u)\b\w\w+\b",
            stop_words=sorted({fold(w) for w in STOP_WORDS}),
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=min_df,
        )
        self.char = TfidfVectorizer(
            preprocessor=fold,
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=min_df,
        )
        self._fitted = False

    def fit(self, corpus: list[str]) -> LexicalModel:
        corpus = [c for c in corpus if c and c.strip()] or ["empty"]
        self.word.fit(corpus)
        self.char.fit(corpus)
        self._fitted = True
        return self

    def transform(self, texts: list[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Rows are L2-normalised, so dot products are cosine similarities."""
        if not self._fitted:
            raise RuntimeError("LexicalModel.fit() must be called first")
        texts = [t or "" for t in texts]
        return self.word.transform(texts).tocsr(), self.char.transform(texts).tocsr()

    @staticmethod
    def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
        return np.asarray((a @ b.T).todense(), dtype=np.float32)
