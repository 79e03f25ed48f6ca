"""One shard of the video stages: every video decoded once, bad videos recorded as rejects, not fatal.

A shard's output keeps rows only for the videos it could use; the others go to its `rejects` dataset,
one row (video id, reason, shard file) each, and what was odd about a video it used goes to `warnings`
(video id, warning). The reject budget is not checked here: CheckRejects (pipeline.data.accounting) checks
it once over the whole collection, after every shard, so that no outcome depends on the shard boundaries.
Later stages use the videos accepted by both the keyframe and the video-feature shards
(pipeline.io.assemble.video_arrays). Prediction (pipeline.predict.core) runs the same two functions on new videos:
`keyframe_shard`, then `feature_shard`.
"""
import numpy as np

from pipeline.errors import DataError
from pipeline.video import cnn3d, precomputed
from pipeline.video.appearance import DIM as appearance_dim
from pipeline.video.decode import VideoError, scan
from pipeline.video.extractors import offline_datasets
from pipeline.video.motion import dim as motion_dim
from pipeline.video.motion import motion_descriptor


def keyframe_shard(videos, k: int, size: int, motion=None, appearance=None, pool_frames: int = 0,
                   progress=lambda i, n: None, append=None) -> tuple:
    """Keyframes of `videos` (manifest Items), and in the same decoding pass the offline video features.

    motion: (grid, bins) of pipeline.video.motion.motion_descriptor, or None. appearance: a
    pipeline.video.appearance.PooledAppearance applied to `pool_frames` evenly spread frames (px×px), or None.
    Returns (arrays, rejects, warnings): arrays K (n, k, px, px, 3) uint8, frame_index (n, k), ids (n,), Y (n, D)
    float32 when `motion`, A (n, 1280) float32 when `appearance`, for the n accepted videos in input order;
    rejects [(id, reason)]; warnings [(id, warning)] of accepted videos. With `append` (pipeline.io.h5io.growing),
    each video's keyframes go to it as they are extracted and K is not returned (one video's in memory).
    """
    K, index, ids, Y, A, rejects, warnings = [], [], [], [], [], [], []
    n_clip = pool_frames if appearance is not None else 0
    for i, v in enumerate(videos):
        try:
            s = scan(v.path, keyframes=k, size=size, thumbs=bool(motion), min_frames=2 if motion else 1,
                     clip_frames=n_clip, clip_size=(size, size))
            if motion:
                Y.append(motion_descriptor(s.thumbs, *motion))
            if n_clip:
                A.append(appearance(s.clip))
        except VideoError as e:
            rejects.append((v.id, e.reason))
        else:
            (append or K.append)(s.keyframes)
            index.append(s.key_index)
            ids.append(v.id)
            warnings += [(v.id, w) for w in s.warnings]
        progress(i + 1, len(videos))
    arrays = dict(**({} if append else dict(K=np.stack(K) if K else np.empty((0, k, size, size, 3), np.uint8))),
                  frame_index=np.array(index, np.int64).reshape(len(ids), k), ids=np.array(ids, dtype=str))
    if motion:
        arrays["Y"] = np.stack(Y) if Y else np.empty((0, motion_dim(*motion)), np.float32)
    if n_clip:
        arrays["A"] = np.stack(A) if A else np.empty((0, appearance_dim), np.float32)
    return arrays, rejects, warnings


def clip_shard(videos, clip_frames: int, clip_size=(171, 128), progress=lambda i, n: None):
    """Yield (id, clip (n, h, w, 3) uint8, warnings) of each usable video, (id, VideoError, []) of each other."""
    for i, v in enumerate(videos):
        try:
            s = scan(v.path, clip_frames=clip_frames, clip_size=clip_size, thumbs=False)
        except VideoError as e:
            yield v.id, e, []
        else:
            yield v.id, s.clip, s.warnings
        progress(i + 1, len(videos))


def feature_shard(extractor: str, videos, keyframe_arrays: dict = None, cnn=None, device="cpu", clip_frames: int = 16,
                  batch_size: int = 16, precomputed_file=("", "features"), progress=lambda i, n: None) -> tuple:
    """The clip-level video feature y of `videos` (manifest Items) by `extractor` (tasks/extract.py EXTRACTORS).

    Returns (arrays, rejects, warnings) as keyframe_shard does: arrays Y (n, D) float32 and ids (n,) of the n
    videos used, in input order.
    - offline (pipeline.video.extractors.OFFLINE, `default`): `keyframe_arrays`' datasets concatenated, the output
      of keyframe_shard's decoding pass over the same videos; nothing is decoded again, and the rejects and warnings
      are that pass's (its shard file's `rejects` and `warnings`, when `keyframe_arrays` holds them; else none).
    - `precomputed`: the rows of the file precomputed_file = (path, name of its feature array), matched by video id.
    - a 3D CNN (pipeline.video.cnn3d.ARCHS): a clip of `clip_frames` frames of each video decoded (clip_shard),
      `batch_size` clips at a time through `cnn` (cnn3d.build) on `device`; a video that cannot be decoded is a reject.
    """
    if offline_datasets(extractor):
        Y = np.concatenate([keyframe_arrays[name] for name in offline_datasets(extractor)], 1)
        return (dict(Y=Y, ids=keyframe_arrays["ids"]), keyframe_arrays.get("rejects", []),
                keyframe_arrays.get("warnings", []))
    if extractor == "precomputed":
        path, dataset = precomputed_file
        if not path:
            raise DataError("extractor precomputed needs a file: --ExtractVideoFeatures-precomputed-path "
                            "(luigi.cfg [ExtractVideoFeatures] precomputed_path).")
        ids, X = precomputed.load(path, dataset)
        wanted = [v.id for v in videos]
        return dict(Y=precomputed.match(ids, X, wanted, path), ids=np.array(wanted, dtype=str)), [], []
    return _cnn_features(videos, cnn, device, clip_frames, batch_size, progress)


def _cnn_features(videos, cnn, device, clip_frames: int, batch_size: int, progress) -> tuple:
    """feature_shard's 3D CNN case: at most `batch_size` decoded clips in memory."""
    Y, ids, rejects, warnings, clips, clip_ids = [], [], [], [], [], []

    def flush():
        if clips:
            Y.append(cnn3d.features(cnn, clips, device, batch_size))
            ids.extend(clip_ids)
            clips.clear()
            clip_ids.clear()

    for vid, clip, notes in clip_shard(videos, clip_frames, cnn3d.RESIZE, progress=progress):
        if isinstance(clip, Exception):
            rejects.append((vid, clip.reason))
            continue
        warnings += [(vid, w) for w in notes]
        clips.append(clip)
        clip_ids.append(vid)
        if len(clips) == batch_size:
            flush()
    flush()
    return dict(Y=np.concatenate(Y) if Y else np.empty((0, cnn3d.DIM), np.float32),
                ids=np.array(ids, dtype=str)), rejects, warnings
