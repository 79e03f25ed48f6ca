"""Artifacts on disk: the HDF5 schema, provenance, stage folders, shard joining and rejects."""
