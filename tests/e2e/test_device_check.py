"""benchmarks/device's check (docs/gpu.md), the one command a session lent a GPU runs there, run here on the CPU at
its tiny settings, so that it cannot rot before a GPU is lent: every part runs and writes its figures."""
import json
import subprocess
import sys

from tests.helpers.luigi_process import REPO


def test_the_device_check_runs_every_part_on_the_cpu(tmp_path):
    out = tmp_path / "out"
    # no wheels installed and no carried files: this Python's packages, the vectors made from the GloVe package
    r = subprocess.run([sys.executable, "-m", "benchmarks.device", "check", "--device", "cpu", "--size", "tiny",
                        "--no-install", "--out", str(out), "--work", str(tmp_path / "work"),
                        "--vectors", str(tmp_path / "absent.txt"), "--reference", str(tmp_path / "absent.json")],
                       cwd=REPO, capture_output=True, text=True, timeout=900)
    res = json.loads((out / "check.json").read_text())
    assert {"check", "install", "tiny_run", "bench_train", "scale", "profile", "ok"} <= set(res), r.stderr[-3000:]
    assert (out / "summary.txt").read_text().startswith("device check: cpu")

    tiny = res["tiny_run"]
    checks = tiny["checks"]
    assert checks["every_stage_ran"], tiny.get("log_tail")
    assert checks["classes_as_expected"]
    assert checks["f_trains_in_float32"]              # no autocast on the CPU (bfloat16 on CUDA)
    assert checks["model_on_cpu"]
    assert checks["model_pt_names_cpu"]
    assert checks["gpu_lock_taken_and_released"]      # the CPU check gives the GPU tasks cuda:0's lock file
    assert tiny["gpu_lock"]["given_to"] == ["DumpFeatures", "TrainDIVAFN"]
    assert 0 <= tiny["accuracy"]["divafn"] <= 1

    for name in ("efficientnet_lite0", "cnnf"):
        assert res["bench_train"]["backbones"][name]["ratio"] > 0
    scale = res["scale"]["sizes"]["tiny"]
    assert scale["status"] == "done"
    stages = {"MakeSyntheticData", "ExtractKeyframes", "TrainDIVAFN", "DumpFeatures", "FitClassifier"}
    assert stages <= set(scale["stages"])
    assert all(s["rss_peak_mib"] > 0 for s in scale["stages"].values())
    assert res["scale"]["extrapolation"]["total_seconds"] > 0
    profile = res["profile"]
    assert profile["status"] == "done"
    assert profile["steady_image_steps"] >= 1
    assert profile["profile"]["steps"] >= 1               # torch.profiler's window ran
