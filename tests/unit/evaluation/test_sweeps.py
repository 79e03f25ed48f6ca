"""The seed sweep's table (pipeline/evaluation/sweeps.py): mean ± std by method, and the paired differences."""
import pytest

from pipeline.evaluation import sweeps


def test_the_sweep_gives_mean_std_and_the_paired_differences_seed_by_seed():
    per_seed = {0: dict(divafn=0.60, finetune=0.70, divafn_plus=0.80, video_only=0.50),
                1: dict(divafn=0.64, finetune=0.66, divafn_plus=0.76, video_only=0.50)}
    table = sweeps.seed_table(per_seed)
    assert table["divafn"]["mean"] == pytest.approx(0.62)
    assert table["divafn"]["std"] == pytest.approx(0.04 / 2 ** 0.5)         # sample std of 0.60, 0.64
    assert sweeps.paired(table, "divafn_plus", "finetune").tolist() == pytest.approx([0.10, 0.10])
    md = sweeps.seed_markdown("SYNTHETIC", table, [0, 1])
    assert "- divafn − finetune: -6.0% ± 5.7% (per seed: -10.0%, -2.0%)" in md
    assert "- divafn_plus − finetune: +10.0% ± 0.0%" in md
    assert "divafn − dann" not in md                                         # no dann in this sweep
