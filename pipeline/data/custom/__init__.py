"""Your own images and videos: a pair described by a small TOML file (`--pair my_actions.toml`).

    name = "Kitchen"                  # required: artifacts/Kitchen/; letters, digits, _ - . (not a built-in pair's)
    [images]                          # required: the labelled stills (source)
    root = "/data/kitchen_photos"     # required; a relative root is relative to the TOML file's folder
    layout = "tree"                   # default "tree": one folder per class, files at any depth below it;
                                      #   or "stanford40", "imagefolder" (pipeline.data.layouts)
    [videos]                          # required: the videos (target)
    root = "/data/kitchen_clips"      # required; as [images] root
    layout = "tree"                   # default "tree"; or "ucf101", "hmdb51" (then their own splits, --split 1..3,
                                      #   and none of the four keys below)
    test_list = "splits/test.txt"     # relative to root: one video path a line = the test split; or
    test_fraction = 0.3               # (the default, when no list is given) a share of each class, drawn from
    seed = 0                          # the seed (default 0), the same on every machine (tree.draw_split)
    group = "_g(\\d+)_"               # optional regex: its first (…) names a clip's group; a group is never split
    [classes]                         # optional: image class folder = video class folder, the pair's table;
    "cutting vegetables" = "CuttingInKitchen"   # without it, folders of the same name (after pairs.normalise)

Images are the files of any format Pillow reads, videos those of the containers PyAV reads, by extension in any
case (tree.media_suffixes); hidden and other files are counted in the manifest (`Manifest.ignored`), not used.

The API: `load_pair_file(path)` → `PairFile`, a `Pair` whose `images`/`videos` are `Source`s: they know their
folders (`pipeline.data.manifest.dataset_roots` returns them) and read themselves (`manifest.build` asks them), so
`manifest.build(pair_file, data_root, split)` makes its manifest as for a built-in pair. `PairFile.warning` is a
line to log (classes on one side only); `is_pair_file(value)` tells a --pair value that names a file, `pair_of`
and `pair_name` give the pair and the name (artifacts/<name>/) a --pair value names, built-in or file;
`pair_digest(pair_file)` is what the file describes, hashed (its content, not its path or time) for the digests;
`other_pair_sections` tells luigi.cfg's [pair:<name>] sections of other pair files from misspelt ones.
"""
from pipeline.data.custom.pairfile import (PairFile, is_pair_file, load_pair_file, other_pair_sections, pair_digest,
                                           pair_name, pair_of)
from pipeline.data.custom.tree import SplitRule, Source, media_suffixes

__all__ = ["PairFile", "Source", "SplitRule", "is_pair_file", "load_pair_file", "media_suffixes",
           "other_pair_sections", "pair_digest", "pair_name", "pair_of"]
