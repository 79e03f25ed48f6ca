"""Class-name embeddings S: one vector per class name (the autoencoders' hidden layer).

The paper embeds class names with word2vec; a multi-word name is the mean of its words' vectors.
The offline default here, `hashed_ngrams`, needs no file: each word is the sum of signed, hashed
character n-grams (n = 3..5, fastText-style subwords) in `dim` dimensions, so names that share words
or word stems ("riding a horse", "riding a bike") are close and unrelated names are nearly
orthogonal. It has no knowledge of meaning beyond spelling; a real embedding file is better.
"""
import hashlib
import re

import numpy as np

STOPWORDS = {"a", "an", "the", "on", "in", "of", "with"}


def words(name: str) -> list:
    """'WalkingWithDog' / 'walking_the_dog' / 'ride_bike' → ['walking', 'dog'] / ... (lower case, no stopwords)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    ws = [w.lower() for w in re.split(r"[\s_\-]+", spaced) if w]
    return [w for w in ws if w not in STOPWORDS] or ws


def _word_vector(word: str, dim: int) -> np.ndarray:
    v = np.zeros(dim)
    token = f"<{word}>"
    for n in (3, 4, 5):
        for i in range(len(token) - n + 1):
            h = int.from_bytes(hashlib.blake2b(token[i:i + n].encode(), digest_size=8).digest(), "little")
            v[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    return v / max(np.linalg.norm(v), 1e-12)


def hashed_ngrams(names, dim: int = 300) -> np.ndarray:
    """S as (C, d) float32 rows, L2-normalised: mean of the names' word vectors."""
    rows = [np.mean([_word_vector(w, dim) for w in words(n)], 0) for n in names]
    S = np.stack(rows)
    return (S / np.linalg.norm(S, axis=1, keepdims=True)).astype(np.float32)
