"""The method (DESIGN §3): losses, Algorithm 1 (train), the closed-form autoencoders (sae, semantics), class-name
embeddings, pretrained weights, the feature dump and model.pt (checkpoint)."""
