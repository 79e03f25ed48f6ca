"""CompareMethods in RunExperiment's metrics; SeedSweep and Sensitivity on the tiny run; determinism of one seed."""
import json

from tests.helpers.luigi_process import TINY_CFG, run_folder, run_luigi

METHODS = {"divafn", "video_only", "keyframe_only", "image_only", "divafn_no_keyframes", "divafn_no_autoencoder",
           "divafn_no_fusion", "divafn_untrained", "finetune", "dann", "divafn_plus", "divafn_plus_image_only"}


def test_run_experiment_reports_every_method(tiny_run):
    cwd = tiny_run
    m = json.loads((run_folder(cwd) / "metrics.json").read_text())
    assert set(m["accuracy"]) == METHODS
    assert set(m["per_class_by_method"]) == METHODS
    report = (run_folder(cwd) / "report.md").read_text()
    accuracy = report.split("## Accuracy on the test videos", 1)[1].split("\n## ", 1)[0]
    rows = {row.split(" | ")[0].removeprefix("| ") for row in accuracy.splitlines() if row.startswith("| ")}
    assert rows == {"method", "chance", "**divafn**"} | (METHODS - {"divafn"})      # a row each, DIVAFN's bold
    (cmp,) = (cwd / "artifacts" / "SYNTHETIC").glob("CompareMethods-*/results.json")
    res = json.loads(cmp.read_text())
    assert {name: r["accuracy"] for name, r in res["methods"].items()} == m["accuracy"]
    # the no-keyframes model was trained on no keyframes; the main one and the three other objectives' on some
    import torch
    models = [torch.load(p, map_location="cpu", weights_only=False) for p in (cwd / "artifacts" / "SYNTHETIC").glob("TrainDIVAFN-*/model.pt")]
    assert sorted((ck["config"]["objective"], ck["use_keyframes"]) for ck in models) == [
        ("dann", True), ("divafn", False), ("divafn", True), ("divafn_plus", True), ("finetune", True)]


def test_seed_sweep_and_sensitivity_write_tables_and_plots(tiny_run_copy):
    cwd = tiny_run_copy
    # seed 0 and the configured c/λ are the tiny run's own: only the summaries run here
    r = run_luigi(["SeedSweep", "--pair", "SYNTHETIC", "--seeds", "[0]", "--no-lock"], cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    (sweep,) = (cwd / "artifacts" / "SYNTHETIC").glob("SeedSweep-*")
    table = json.loads((sweep / "sweep.json").read_text())["methods"]
    assert set(table) == METHODS and all(t["std"] == 0.0 for t in table.values())
    assert "mean ± std" in (sweep / "sweep.md").read_text() and (sweep / "sweep.png").stat().st_size > 1000

    r = run_luigi(["Sensitivity", "--pair", "SYNTHETIC", "--c-values", "[16]", "--lam-values", "[1.0]", "--no-lock"], cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    (sens,) = (cwd / "artifacts" / "SYNTHETIC").glob("Sensitivity-*")
    study = json.loads((sens / "sensitivity.json").read_text())
    assert set(study["study"]) == {"c", "λ"} and study["defaults"] == {"c": 16, "λ": 1.0}
    assert {"divafn", "video_only"} <= set(study["study"]["c"]["16"])
    assert (sens / "sensitivity.png").stat().st_size > 1000


VOLATILE = ("code_version", "training")   # wall-clock seconds of training; the code version string


def test_two_runs_with_one_seed_give_identical_metrics(tiny_run, tmp_path_factory):
    """A second, independent tiny run (own folder, own data) with the same seed: metrics.json identical, apart
    from the wall-clock seconds of training, the code version string and the run's own folder in paths."""
    cwd = tiny_run
    other = tmp_path_factory.mktemp("tiny_run_again")
    r = run_luigi(["RunExperiment", "--pair", "SYNTHETIC", "--no-lock"], other, TINY_CFG)
    assert r.returncode == 0, r.stderr[-3000:]
    # paths differ only by the folder each run was started in
    a, b = (json.loads((run_folder(d) / "metrics.json").read_text().replace(str(d), "<cwd>")) for d in (cwd, other))
    for m in (a, b):
        m.get("training", {}).pop("seconds", None)            # wall clock (main moves it to run.json)
    assert a.get("training") == b.get("training")              # loss terms, epochs, device: identical
    a, b = ({k: v for k, v in m.items() if k not in VOLATILE} for m in (a, b))
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], k
