"""The method (DESIGN §3): losses, Algorithm 1 (train), the closed-form autoencoders (sae, semantics), class-name
embeddings, pretrained weights, the feature dump and model.pt (checkpoint)."""

# [TrainDIVAFN] video_steps: how many video-side steps each outer iteration of Algorithm 1 runs (train.train).
# Here, not in train.py, so that tasks/ can name them without importing torch.
VIDEO_STEPS = ("one_pass", "algorithm")
