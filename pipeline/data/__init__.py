"""The datasets: the pairs and their class tables, the official layouts, the manifest, still images, SYNTHETIC."""
