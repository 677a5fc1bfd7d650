"""scikit-learn random-forest baseline for `npm run bench -- accuracy`: fits on the training
composition features and predicts the test ones, the same entries and split as the CGCNN run.

stdin: {"train": {"X": [[...]], "y": [...]}, "test": {"X": [[...]]}, "seed": 0, "trees": 500}
stdout: {"predictions": [...], "sklearn_version": "..."}
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestRegressor

inp = json.load(sys.stdin)
model = RandomForestRegressor(n_estimators=inp["trees"], random_state=inp["seed"], n_jobs=1)
model.fit(np.asarray(inp["train"]["X"], dtype=np.float64), np.asarray(inp["train"]["y"], dtype=np.float64))
predictions = model.predict(np.asarray(inp["test"]["X"], dtype=np.float64))
json.dump({"predictions": predictions.tolist(), "sklearn_version": sklearn.__version__}, sys.stdout)
