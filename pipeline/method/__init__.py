"""The method (DESIGN §3): losses, Algorithm 1 (train, its settings in train_config, its buffers), the closed-form
autoencoders (sae, semantics), class-name embeddings, pretrained weights, the feature dump and model.pt (checkpoint)."""
