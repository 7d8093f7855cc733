"""Text-retrieval baselines computed in the same run as the matcher: BM25 and TF-IDF character n-grams."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from bench.common import fold, simple_tokens


def _topk(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, scores.shape[0])
    idx = np.argpartition(-scores, k - 1)[:k]
    return idx[np.argsort(-scores[idx], kind="stable")]


class BM25:
    """Okapi BM25 (k1=1.2, b=0.75) over Latin words + Japanese character unigrams/bigrams."""

    name = "BM25"

    def __init__(self, ids, texts, k1: float = 1.2, b: float = 0.75):
        self.ids = np.asarray(ids)
        self.cv = CountVectorizer(analyzer=simple_tokens)
        tf = self.cv.fit_transform(texts).tocsr().astype(np.float64)
        n = tf.shape[0]
        dl = np.asarray(tf.sum(axis=1)).ravel()
        avgdl = dl.mean() if n else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        tf = tf.tocoo()
        denom = tf.data + k1 * (1 - b + b * dl[tf.row] / avgdl)
        w = idf[tf.col] * tf.data * (k1 + 1) / denom
        self.w = sparse.csc_matrix((w, (tf.row, tf.col)), shape=tf.shape)

    def rank(self, text: str, k: int = 10) -> list[int]:
        q = self.cv.transform([text])
        if q.nnz == 0:
            return []
        scores = np.asarray((self.w @ q.T).todense()).ravel()
        top = _topk(scores, k)
        return [int(self.ids[i]) for i in top if scores[i] > 0]


class TfidfChar:
    """sklearn TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 4)) + NFKC folding; sparse dot."""

    name = "TF-IDF char"

    def __init__(self, ids, texts):
        self.ids = np.asarray(ids)
        self.vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), preprocessor=fold, dtype=np.float32
        )
        self.x = self.vec.fit_transform(texts).tocsr()

    def rank(self, text: str, k: int = 10) -> list[int]:
        q = self.vec.transform([text])
        scores = (self.x @ q.T).toarray().ravel()
        top = _topk(scores, k)
        return [int(self.ids[i]) for i in top if scores[i] > 0]
