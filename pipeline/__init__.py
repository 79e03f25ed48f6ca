"""DIVAFN library: plain functions and small classes, no Luigi.

Symbols follow the paper (Liu et al., IEEE TIP 2020) and DESIGN.md §3, explained once here:

- X: still images (source domain, labelled); K: keyframes chosen from each video; V/Y: videos and their
  clip-level feature vectors y.
- f(·; θx): the image/keyframe network (CNN-F); g(·; θy): the video network.
- F = f(X) ∈ R^{n×c} image features, H = f(K) keyframe features, G = g(Y) video features; c is the length
  of the domain-invariant representation. E = [H; G] is the fused feature of a video.
- M: cross-modal similarity matrix, M_ij = 1 when items i and j share a class.
- S ∈ R^{d×C}: class-name embeddings, one column per class (the autoencoders' hidden layer).
- W_F, W_H, W_G, W_E ∈ R^{d×·}: encoders of the semantic autoencoders Auto-F/H/G/E (decoder = transpose).
- λ: weight of the semantic-reconstruction term of an autoencoder.
"""

__version__ = "0.1.0"
