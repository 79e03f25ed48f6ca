"""A run folder that cannot give a trained chain is one line naming it and what to rerun (pipeline.predict.chain)."""
import json

import pytest

from pipeline.errors import DataError
from pipeline.predict.chain import NEEDED, from_run

PARAMS = dict(ExtractKeyframes=dict(keyframes="3", image_size="64", grid="4", bins="8", pool_frames="0"),
              ExtractVideoFeatures=dict(extractor="default", weights="", allow_random_weights="False", clip_frames="16"),
              TrainDIVAFN={}, ProjectSemantics=dict(keyframe_pooling="mean"), FitClassifier={})
FILES = dict(ExtractKeyframes="shard-000.h5", ExtractVideoFeatures="shard-000.h5", TrainDIVAFN="model.pt",
             ProjectSemantics="semantic.h5", FitClassifier="classifier.h5")


def _run(tmp_path, artifacts=None, params=PARAMS, **extra) -> tuple:
    """A pair folder with a RunExperiment folder whose metrics.json records `artifacts` (stage → file names)."""
    pair = tmp_path / "artifacts" / "SYNTHETIC"
    art = {}
    for stage, name in (artifacts or FILES).items():
        path = pair / f"{stage}-0123456789ab" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        art[stage] = [f"artifacts/SYNTHETIC/{stage}-0123456789ab/{name}"]
    run = pair / "RunExperiment-0123456789ab"
    run.mkdir(parents=True)
    (run / "metrics.json").write_text(json.dumps(dict(pair="SYNTHETIC", parameters=params, artifacts=art,
                                                      code_version="0.1.0+gabc", **extra)))
    return pair, run


def _one_line(e) -> str:
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_a_complete_run_gives_its_chain_wherever_the_artifacts_folder_moved(tmp_path):
    pair, run = _run(tmp_path)
    chain = from_run(run)
    assert chain.classifier == pair / "FitClassifier-0123456789ab" / "classifier.h5" and chain.settings["keyframes"] == 3


def test_a_missing_folder_and_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(DataError, match="no such run folder") as e:
        from_run(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in _one_line(e)
    with pytest.raises(DataError, match="not a run folder") as e:
        from_run(tmp_path)
    assert "RunExperiment" in _one_line(e)


def test_a_run_of_code_that_kept_no_classifier_names_it_and_what_to_rerun(tmp_path):
    _, run = _run(tmp_path, dict(FILES, FitClassifier="results.json"))
    with pytest.raises(DataError, match="earlier version") as e:
        from_run(run)
    msg = _one_line(e)
    assert str(run) in msg and "classifier.h5" in msg and "0.1.0+gabc" in msg
    assert "luigi --module tasks RunExperiment --pair SYNTHETIC" in msg


@pytest.mark.parametrize("broken", ["no stage", "no setting", "garbled json"])
def test_a_run_of_another_schema_names_it_and_what_to_rerun(tmp_path, broken):
    params = {k: v for k, v in PARAMS.items() if k != "ProjectSemantics"} if broken == "no stage" else \
        dict(PARAMS, ExtractKeyframes={}) if broken == "no setting" else PARAMS
    _, run = _run(tmp_path, params=params)
    if broken == "garbled json":
        (run / "metrics.json").write_text('{"pair": "SYNTHETIC", "parameters": [')
    with pytest.raises(DataError) as e:
        from_run(run)
    assert str(run) in _one_line(e) and "rerun" in _one_line(e).lower()


def test_a_deleted_artifact_is_named(tmp_path):
    pair, run = _run(tmp_path)
    (pair / "TrainDIVAFN-0123456789ab" / "model.pt").unlink()
    with pytest.raises(DataError, match="missing") as e:
        from_run(run)
    assert "model.pt" in _one_line(e)
    assert set(NEEDED) == set(FILES)
