"""DIVAFN library: plain functions and small classes, no Luigi.

Symbols follow the paper (Liu et al., IEEE TIP 2020) and DESIGN.md §3, explained once here:

- X: still images (source domain, labelled); K: keyframes chosen from each video (k per video); V/Y: videos and
  their clip-level feature vectors y. Stills and keyframes are (px, px, 3) uint8 RGB, px = `image_size`.
- f(·; θx): the image/keyframe network, by default EfficientNet-Lite0 initialised from ImageNet (`backbone`; `cnnf`
  is the paper's CNN-F; models/); g(·; θy): the video network.
- F = f(X) ∈ R^{n×c} image features, H = f(K) keyframe features (n_vid, k, c), pooled to h (n_vid, c) per video,
  G = g(Y) video features; c is the length of the domain-invariant representation. E = [ĥ; ĝ] (n_vid, 2c) is the
  fused feature of a video (pipeline.method.semantics.fused).
- y_F: the class of each image; y_V: the class of each video (features.h5 `video_labels`).
- M: cross-modal similarity matrix, M_ij = 1 when items i and j share a class.
- S ∈ R^{C×d}: class-name embeddings, one row per class (classnames.h5 `S`; the paper's S ∈ R^{d×C} transposed),
  the autoencoders' hidden layer.
- W_F, W_H, W_G, W_E ∈ R^{d×·}: encoders of the semantic autoencoders Auto-F/H/G/E (decoder = transpose).
- λ: weight of the semantic-reconstruction term of an autoencoder.
"""

__version__ = "0.1.0"
