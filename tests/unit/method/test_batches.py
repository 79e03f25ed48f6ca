"""Algorithm 1's video-side batches (pipeline/method/batches.py)."""
import torch

from pipeline.method import batches


def test_video_batches_cut_consecutive_shuffles_so_every_video_is_seen_equally_often():
    drawn = batches.video_batches(5, 3, 7, torch.Generator().manual_seed(0))
    assert [len(b) for b in drawn] == [3] * 7
    counts = torch.bincount(torch.cat(drawn), minlength=5)
    assert counts.sum() == 21 and counts.max() - counts.min() <= 1        # 21 draws over 5 videos: 4 or 5 each
    assert all(len(set(b.tolist())) == len(b) for b in drawn[:1])       # a batch inside one shuffle: no repeats
    assert [len(b) for b in batches.video_batches(3, 8, 2, torch.Generator())] == [3, 3]     # at most n a batch
    again = batches.video_batches(5, 3, 7, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(drawn, again))

