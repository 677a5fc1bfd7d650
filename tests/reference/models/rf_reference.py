"""scikit-learn RandomForestRegressor R² on the same train/test split (reference for randomForest.ts)."""
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import r2_score

inp = json.load(sys.stdin)
scores = []
for seed in inp["seeds"]:
    rf = RandomForestRegressor(
        n_estimators=inp["trees"], max_features=inp["max_features"], min_samples_leaf=inp["min_samples_leaf"], random_state=seed
    )
    rf.fit(np.array(inp["X_train"]), np.array(inp["y_train"]))
    scores.append(float(r2_score(np.array(inp["y_test"]), rf.predict(np.array(inp["X_test"])))))
json.dump({"r2": float(np.mean(scores)), "r2_each": scores}, sys.stdout)
