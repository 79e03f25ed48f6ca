"""Every item of the manifest used or rejected, once, over the whole collection (the stage CheckRejects).

The stages that read the files (PrepareImages: the images; ExtractKeyframes and ExtractVideoFeatures, shard by
shard: the videos) keep the items they could use and list the others, with a reason, in their `rejects`. Here
they are joined: an item rejected by any stage is rejected for all (the later stages use the videos accepted by
both video stages, pipeline.io.assemble), and listed once, with every reason and the stages that gave it. Then,
once and after every shard, so that no outcome depends on `n_shards` or on which worker ran which shard:

  - the budget: more than `max_reject_fraction` of the videos, or of the images, rejected stops the run;
  - every class keeps at least one image, one training video and one test video.

`account` returns the document CheckRejects writes to rejects.json (artifacts/README.md) and the report lists.
"""
import json
import math
from pathlib import Path

import numpy as np

from pipeline.errors import DataError
from pipeline.io import h5io

MODALITIES = {"image": "images", "video": "videos"}
SHOWN = 5                      # examples an error names


def _part(items: list, index: int, count: int) -> list:
    """The items of part `index` of `count` (Manifest.shard's contiguous runs; one part: all)."""
    n = len(items)
    return items[index * n // count:(index + 1) * n // count]


def read_stage(paths: list, kind: str) -> list:
    """[(path, {"ids", "rejects", "warnings"})] of one stage's files (shards in order; images: one file)."""
    out = []
    for p in paths:
        names = ["ids", "rejects"] + (["warnings"] if kind != "images" else [])
        out.append((str(p), h5io.read(p, kind, names)))
    return out


def _check_part(path: str, stage: str, modality: str, expected: list, arrays: dict) -> None:
    """A stage's file holds each of its items once, either used (ids) or rejected (rejects)."""
    used = [str(i) for i in np.asarray(arrays["ids"]).astype(str)]
    rejected = [str(r[0]) for r in np.asarray(arrays["rejects"]).astype(str).reshape(-1, 3)]
    want = {it.id for it in expected}
    seen = used + rejected
    missing, extra = sorted(want - set(seen)), sorted(set(seen) - want)
    if missing or extra or len(set(seen)) != len(seen):
        what = (f"{len(missing)} of its {len(want)} {MODALITIES[modality]} are neither used nor rejected in it "
                f"(e.g. {missing[0]})" if missing else
                f"it holds {MODALITIES[modality]} that are not its part of the manifest (e.g. {extra[0]})" if extra else
                f"it lists some {MODALITIES[modality]} twice")
        raise DataError(f"{path}: {what}; it was written by older code or for another manifest. "
                        f"Delete it and re-run {stage}.")


def account(m, stages: list) -> dict:
    """Join the rejects of every stage. `m`: the Manifest; `stages`: [(stage name, "image" | "video",
    [(path, arrays)] as read_stage returns, in shard order)]. Returns the rejects.json document (no provenance):
    n_images, n_videos, rejects [{modality, id, path, reason, stages}] and warnings [{modality, id, path,
    warning, stages}] (of used items only), each in manifest order, each item once."""
    reasons, notes = {}, {}                     # (modality, id) → {reason: [stages]}, {warning: [stages]}
    for stage, modality, files in stages:
        items = m.images if modality == "image" else m.videos
        for index, (path, arrays) in enumerate(files):
            _check_part(path, stage, modality, _part(items, index, len(files)), arrays)
            for row in np.asarray(arrays["rejects"]).astype(str).reshape(-1, 3):
                reasons.setdefault((modality, str(row[0])), {}).setdefault(str(row[1]), []).append(stage)
            for row in np.asarray(arrays.get("warnings", np.empty((0, 2), str))).astype(str).reshape(-1, 2):
                notes.setdefault((modality, str(row[0])), {}).setdefault(str(row[1]), []).append(stage)
    rejects, warnings = [], []
    for modality, items in (("image", m.images), ("video", m.videos)):
        for it in items:
            key = (modality, it.id)
            if key in reasons:
                stages_of = [s for r in reasons[key].values() for s in r]
                rejects.append(dict(modality=modality, id=it.id, path=it.path, reason="; ".join(reasons[key]),
                                    stages=list(dict.fromkeys(stages_of))))
            else:
                warnings += [dict(modality=modality, id=it.id, path=it.path, warning=w, stages=list(dict.fromkeys(s)))
                             for w, s in notes.get(key, {}).items()]
    return dict(n_images=len(m.images), n_videos=len(m.videos), rejects=rejects, warnings=warnings)


def _examples(rejects: list) -> str:
    shown = "; ".join(f"{r['path']}: {r['reason']}" for r in rejects[:SHOWN])
    return shown + (f"; and {len(rejects) - SHOWN} more (the run log lists each)" if len(rejects) > SHOWN else "")


def check_budget(doc: dict, max_fraction: float, manifest_folder: str = "artifacts/<pair>/BuildManifest-<hash>",
                 task: str = "CheckRejects") -> None:
    """DataError when more than `max_fraction` of the videos, or of the images, were rejected."""
    over, need = [], 0.0
    for modality, plural in (("video", "videos"), ("image", "images")):
        n, bad = doc[f"n_{plural}"], [r for r in doc["rejects"] if r["modality"] == modality]
        if n and len(bad) > max_fraction * n:
            over.append(f"{len(bad)} of {n} {plural} ({100 * len(bad) / n:.1f}%) cannot be used, e.g. {_examples(bad)}")
            need = max(need, len(bad) / n)
    if over:
        raise_to = math.ceil(round(need * 100, 6)) / 100
        raise DataError(
            f"{' and '.join(over)}. That is more than max_reject_fraction = {max_fraction:g} allows (checked once, "
            f"over the whole collection). Repair or replace those files, or take them out of the dataset's lists, "
            f"then delete {manifest_folder}/ and run again; or raise the budget, "
            f"--{task}-max-reject-fraction {raise_to:g} (luigi.cfg [{task}] max_reject_fraction), which reruns only "
            f"this check and what follows it.")


def check_classes(m, doc: dict, manifest_folder: str = "artifacts/<pair>/BuildManifest-<hash>") -> None:
    """DataError naming every class left without images, training videos or test videos after the rejects."""
    rejected = {(r["modality"], r["id"]): r for r in doc["rejects"]}
    problems = []
    for label, name in enumerate(m.classes):
        for modality, split, what in (("image", None, "images"), ("video", "train", "training videos"),
                                      ("video", "test", "test videos")):
            items = [it for it in (m.images if modality == "image" else m.videos)
                     if it.label == label and split in (None, it.split)]
            lost = [rejected[(modality, it.id)] for it in items if (modality, it.id) in rejected]
            if items and len(lost) == len(items):
                problems.append(f"class {name} has no {what} left: all {len(items)} were rejected "
                                f"({_examples(lost)})")
    if problems:
        raise DataError(f"{'; '.join(problems)}. Every class needs images, training videos and test videos: repair "
                        f"or replace those files, or add others of the class, then delete {manifest_folder}/ and run "
                        f"again.")


def write(path, doc: dict, provenance: dict) -> None:
    Path(path).write_text(json.dumps(dict(doc, provenance=provenance), indent=1))


def read(path) -> dict:
    """rejects.json's document (written by `write`)."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not readable ({e}); delete it and re-run CheckRejects.") from None
    if not isinstance(doc, dict) or not {"rejects", "warnings"} <= set(doc):
        raise DataError(f"{path}: not a CheckRejects document; delete it and re-run CheckRejects.")
    return doc
