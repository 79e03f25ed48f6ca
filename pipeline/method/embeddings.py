"""Class-name embeddings S: one vector per class name (the autoencoders' hidden layer).

The paper embeds class names with word2vec; a multi-word name is the mean of its words' vectors.
The default, `glove`, does the same with GloVe 6B 50-d vectors from an installed package
(pipeline.method.glove). The fallback, `hashed_ngrams`, needs nothing: each word is the sum of signed,
hashed character n-grams (n = 3..5, fastText-style subwords) in `dim` dimensions, so names that share
words or word stems ("riding a horse", "riding a bike") are close and unrelated names are nearly
orthogonal. It knows nothing of meaning beyond spelling.
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


# --------------------------------------------------------------------------------------------- providers
# Each provider maps class names to S (C, d) float32, rows L2-normalised, plus a description of what
# was used (stored in classnames.h5's attrs and quoted by the report).

PROVIDERS = ("glove", "hashed_ngrams", "word_vectors", "sentence_transformers")


def centre_rows(S: np.ndarray) -> np.ndarray:
    """S with the mean class vector removed, rows L2-normalised again (EmbedClassNames `centre`).

    Word vectors share a large common component (GloVe: mean cosine 0.33 between SYNTHETIC's class names), so the
    autoencoders' targets — the rows of S — differ little; without it they point apart (mean cosine −1/(C−1) at
    best).
    """
    S = np.asarray(S, np.float64)
    return _normalise_rows(S - S.mean(0))


def _normalise_rows(S: np.ndarray) -> np.ndarray:
    return (S / np.maximum(np.linalg.norm(S, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _candidates(word: str) -> tuple:
    """Spellings to look up, in order: as written, lower case, Capitalised (GoogleNews is case-sensitive)."""
    return tuple(dict.fromkeys((word, word.lower(), word.capitalize())))


def _vector_file_format(path) -> str:
    """'binary' (word2vec .bin), 'text' (word2vec text: 'n d' header) or 'glove' (headerless text)."""
    with open(path, "rb") as fh:
        head = fh.readline(4096)
        first_entry = fh.read(4096)
    parts = head.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        try:
            first_entry.decode("utf-8")
            text = all(32 <= b or b in (9, 10, 13) for b in first_entry[:512])
        except UnicodeDecodeError:
            text = False
        return "text" if text else "binary"
    return "glove"


def load_word_vectors(path, wanted) -> tuple:
    """{word: vector} for the words of `wanted` (any spelling of `_candidates`) found in a vectors file; and d.

    Reads the word2vec binary format (header 'n d', then per word: the word, a space, d float32), the
    word2vec text format (header 'n d', then 'word v1 … vd' lines) and GloVe's headerless text format.
    The file is streamed: only the wanted words are kept, so a multi-gigabyte file needs no memory.
    """
    from pipeline.errors import DataError
    path = str(path)
    try:
        fmt = _vector_file_format(path)
    except OSError as e:
        raise DataError(f"{path}: cannot read the word vectors file ({e}); set [EmbedClassNames] vectors_path "
                        f"in luigi.cfg to a word2vec (.bin or text) or GloVe (.txt) file.") from None
    keys = {c for w in wanted for c in _candidates(w)}
    found, dim = {}, None
    with open(path, "rb") as fh:
        if fmt == "binary":
            n, dim = (int(x) for x in fh.readline().split())
            for _ in range(n):
                word = bytearray()
                while (ch := fh.read(1)) not in (b" ", b""):
                    if ch != b"\n":                    # a newline may end the previous vector
                        word += ch
                raw = fh.read(4 * dim)
                if len(raw) < 4 * dim:
                    raise DataError(f"{path}: truncated word2vec binary file (header says {n} words of {dim} "
                                    f"dimensions); re-download or re-export it.")
                w = word.decode("utf-8", errors="replace")
                if w in keys:
                    found[w] = np.frombuffer(raw, "<f4").astype(np.float64)
        else:
            if fmt == "text":
                fh.readline()
            for line in fh:
                parts = line.rstrip().split(b" ")
                if len(parts) < 2:
                    continue
                if dim is None:
                    dim = len(parts) - 1
                w = parts[0].decode("utf-8", errors="replace")
                if w in keys:
                    if len(parts) - 1 != dim:
                        raise DataError(f"{path}: the vector of {w!r} has {len(parts) - 1} values, earlier ones "
                                        f"{dim}; not a word2vec/GloVe text file.")
                    found[w] = np.array([float(x) for x in parts[1:]])
    if dim is None:
        raise DataError(f"{path}: no word vectors in the file; expected word2vec (binary or text) or GloVe text.")
    return found, dim, fmt


def word_vector_embedding(names, path) -> tuple:
    """S (C, d) from a word vectors file: each name the mean of its words' vectors (DESIGN §3).

    Returns (S, info) where info holds the file, its format, d and `missing`: {class name: [words not in
    the vocabulary]}. A word missing is left out of its name's mean; a name none of whose words is in
    the vocabulary is a DataError (its row would be arbitrary).
    """
    per_name = {n: words(n) for n in names}
    vectors, dim, fmt = load_word_vectors(path, {w for ws in per_name.values() for w in ws})
    S, missing = _mean_of_words(per_name, vectors, str(path))
    info = dict(provider="word_vectors", vectors_path=str(path), vectors_format=fmt, dim=int(dim),
                missing_words=missing,
                description=f"word vectors from {path} ({fmt} format, {dim}-d; a name is the mean of its words' vectors"
                            + (f"; words not in the vocabulary: {missing}" if missing else "") + ")")
    return S, info


def glove_embedding(names) -> tuple:
    """S (C, 50) from GloVe 6B (pipeline.method.glove), as word_vector_embedding does with a file.

    A word not in the vocabulary that is two vocabulary words run together (UCF101's 'Skijet') is read as those
    two ('ski', 'jet'; the longest first part wins); `split_words` in the info lists each such reading.
    """
    from pipeline.method import glove
    per_name = {n: words(n) for n in names}
    ws = {w.lower() for v in per_name.values() for w in v}
    splits = {w: [(w[:i], w[i:]) for i in range(len(w) - 2, 1, -1)] for w in ws}
    vectors, dim, source = glove.load(ws | {part for pairs in splits.values() for pair in pairs for part in pair})
    split_words = {}
    for w in sorted(ws - set(vectors)):
        pair = next((p for p in splits[w] if all(part in vectors for part in p)), None)
        if pair:
            split_words[w] = "+".join(pair)
    per_name = {n: [part for w in v
                    for part in (split_words[w.lower()].split("+") if w.lower() in split_words else [w])]
                for n, v in per_name.items()}
    S, missing = _mean_of_words(per_name, vectors, source)
    info = dict(provider="glove", vectors_path=source, vectors_format="npy", dim=dim, missing_words=missing,
                split_words=split_words,
                description=f"GloVe 6B {dim}-d word vectors (package {glove.PACKAGE}; a name is the mean of its words' "
                            f"vectors" + (f"; read as two words: {split_words}" if split_words else "")
                            + (f"; words not in the vocabulary: {missing}" if missing else "") + ")")
    return S, info


def _mean_of_words(per_name: dict, vectors: dict, source: str) -> tuple:
    from pipeline.errors import DataError
    rows, missing = [], {}
    for n, ws in per_name.items():
        got = [next((vectors[c] for c in _candidates(w) if c in vectors), None) for w in ws]
        missing_words = [w for w, v in zip(ws, got) if v is None]
        if missing_words:
            missing[n] = missing_words
        if len(missing_words) == len(ws):
            raise DataError(f"{source}: none of the words of class {n!r} ({', '.join(ws)}) is in its vocabulary; "
                            f"use a larger vectors file or another provider "
                            f"(--EmbedClassNames-provider hashed_ngrams).")
        rows.append(np.mean([v for v in got if v is not None], 0))
    return _normalise_rows(np.stack(rows)), missing


def sentence_embedding(names, model_dir) -> tuple:
    """S (C, d) from a local sentence-transformers model folder (e.g. all-MiniLM-L6-v2), one sentence per name.

    The name is written as words ('WalkingWithDog' → 'walking dog'). sentence-transformers is imported
    here, not at module load: the pipeline does not need it unless this provider is chosen. Hugging Face
    Hub access is switched off: the model must be on disk.
    """
    import os
    from pathlib import Path

    from pipeline.errors import DataError
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise DataError("the sentence_transformers provider needs the package sentence-transformers, which is not "
                        "installed: `pip install sentence-transformers` (or choose --EmbedClassNames-provider "
                        "word_vectors / hashed_ngrams).") from None
    if not model_dir or not Path(model_dir).is_dir():
        raise DataError(f"{model_dir or '(empty)'}: not a folder; set [EmbedClassNames] vectors_path to a local "
                        f"sentence-transformers model folder (one holding modules.json / config.json).")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = SentenceTransformer(str(model_dir), device="cpu")
    S = np.asarray(model.encode([" ".join(words(n)) for n in names]), dtype=np.float64)
    info = dict(provider="sentence_transformers", vectors_path=str(model_dir), dim=int(S.shape[1]), missing_words={},
                description=f"sentence-transformers model {model_dir} ({S.shape[1]}-d; one sentence per class name)")
    return _normalise_rows(S), info


def embed(names, provider: str = "glove", dim: int = 300, vectors_path: str = "", centre: bool = False) -> tuple:
    """(S (C, d) float32, info dict) by `provider` (one of PROVIDERS); `vectors_path` names its file/folder;
    `centre`: S through centre_rows, said in the description.

    glove falls back to hashed_ngrams (saying so in the description) when its package is not installed.
    """
    if centre:
        S, info = embed(names, provider, dim, vectors_path)
        return centre_rows(S), dict(info, description=info["description"] + "; centred over the classes")
    from pipeline.errors import DataError
    from pipeline.method import glove
    if provider == "glove":
        if glove.root() is not None:
            return glove_embedding(names)
        S, info = embed(names, "hashed_ngrams", dim)
        return S, dict(info, description=f"{info['description']}; the default provider glove needs the package "
                                         f"{glove.PACKAGE} (and pyarrow), which is not installed")
    if provider == "hashed_ngrams":
        return hashed_ngrams(names, dim), dict(
            provider="hashed_ngrams", vectors_path="", dim=int(dim), missing_words={},
            description="hashed character n-grams (no word vectors file)")
    if not vectors_path:
        raise DataError(f"provider {provider!r} reads a local file: set [EmbedClassNames] vectors_path in luigi.cfg "
                        f"(or --EmbedClassNames-vectors-path PATH).")
    if provider == "word_vectors":
        return word_vector_embedding(names, vectors_path)
    if provider == "sentence_transformers":
        return sentence_embedding(names, vectors_path)
    raise DataError(f"unknown embedding provider {provider!r}; choose one of {', '.join(PROVIDERS)}.")
