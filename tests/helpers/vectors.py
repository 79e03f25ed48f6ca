"""Word-vector files as their usual tools write them: word2vec binary (gensim), word2vec text, GloVe text."""
import numpy as np


def write_word2vec_binary(path, vocab):
    dim = len(next(iter(vocab.values())))
    with open(path, "wb") as fh:
        fh.write(f"{len(vocab)} {dim}\n".encode())
        for w, v in vocab.items():
            fh.write(w.encode() + b" " + np.asarray(v, "<f4").tobytes() + b"\n")   # gensim writes the newline


def write_text(path, vocab, header=True):
    dim = len(next(iter(vocab.values())))
    lines = ([f"{len(vocab)} {dim}"] if header else []) + [" ".join([w, *map(str, v)]) for w, v in vocab.items()]
    path.write_text("\n".join(lines) + "\n")
