"""results.json, the layout that FitClassifier and CompareMethods write and the report reads."""
import json
from pathlib import Path

import numpy as np


def results_json(classes, test_ids, test_labels, results: dict, provenance: dict) -> dict:
    """results.json's layout (FitClassifier's): per method accuracy, per_class, confusion, predicted."""
    return dict(classes=classes, test_ids=list(test_ids), test_labels=list(map(int, test_labels)),
                methods={name: dict(accuracy=r["accuracy"], per_class=np.asarray(r["per_class"]).tolist(),
                                    confusion=np.asarray(r["confusion"]).tolist(),
                                    predicted=np.asarray(r["predicted"]).tolist())
                         for name, r in results.items()},
                provenance=provenance)


def write_json(path, obj) -> None:
    Path(path).write_text(json.dumps(obj, indent=1))
