"""Imported video features (pipeline/video/precomputed.py): .npz, .npy + ids, MATLAB v5 and v7.3, HDF5; matched by id."""
import h5py
import numpy as np
import pytest
import scipy.io

from pipeline.errors import DataError
from pipeline.video import precomputed

WANTED = ["UCF-101/Archery/v_Archery_g01_c01.avi", "UCF-101/Biking/v_Biking_g02_c03.avi"]


@pytest.fixture
def feats():
    return np.arange(3 * 5, dtype=np.float32).reshape(3, 5)


def test_precomputed_npz_by_id(tmp_path, feats):
    p = tmp_path / "c3d.npz"
    np.savez(p, ids=np.array([WANTED[1], "other.avi", WANTED[0]]), features=feats)
    ids, X = precomputed.load(p)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_npy_with_ids_file_by_stem(tmp_path, feats):
    p = tmp_path / "c3d.npy"
    np.save(p, feats)
    (tmp_path / "c3d.txt").write_text("v_Biking_g02_c03\nv_Other\nv_Archery_g01_c01\n")
    ids, X = precomputed.load(p)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_mat_v73_hdf5_layout(tmp_path, feats):
    """MATLAB v7.3 = HDF5, column-major: an (n, D) matrix is stored (D, n); a cellstr is a dataset of
    references to uint16 character arrays."""
    p = tmp_path / "c3d_fc6.mat"
    names = ["v_Biking_g02_c03.avi", "v_Other.avi", "v_Archery_g01_c01.avi"]
    with h5py.File(p, "w") as f:
        f.create_dataset("features", data=feats.T)
        refs = []
        for i, n in enumerate(names):
            d = f.create_dataset(f"#refs#/{i}", data=np.array([[ord(c)] for c in n], np.uint16))
            refs.append(d.ref)
        f.create_dataset("ids", data=np.array([refs], dtype=h5py.ref_dtype))
    ids, X = precomputed.load(p)
    assert list(ids) == names
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[[2, 0]])


def test_precomputed_h5_named_dataset_and_mat_v5(tmp_path, feats):
    p = tmp_path / "f.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("ids", data=np.array(WANTED + ["x"], dtype=object), dtype=h5py.string_dtype())
        f.create_dataset("fc6", data=feats)
    ids, X = precomputed.load(p, "fc6")
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[:2])
    m = tmp_path / "f5.mat"
    scipy.io.savemat(m, {"ids": np.array(["v_Archery_g01_c01", "v_Biking_g02_c03", "zz"], dtype=object), "features": feats})
    ids, X = precomputed.load(m)
    np.testing.assert_array_equal(precomputed.match(ids, X, WANTED), feats[:2])


def test_precomputed_missing_ids_is_a_clear_error(tmp_path, feats):
    p = tmp_path / "c3d.npz"
    np.savez(p, ids=np.array(["a.avi", "b.avi", WANTED[0]]), features=feats)
    ids, X = precomputed.load(p)
    with pytest.raises(DataError, match=r"no features for 1 of 2 videos \(e.g. UCF-101/Biking/v_Biking_g02_c03.avi\)"):
        precomputed.match(ids, X, WANTED, str(p))
    np.savez(p, names=np.array(["a"]), features=feats)
    with pytest.raises(DataError, match=r"missing \['ids'\]"):
        precomputed.load(p)
