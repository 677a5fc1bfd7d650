"""scikit-learn KMeans inertia on Crucible-standardized features (reference for optimize/kmeans.ts)."""
import json
import sys

import numpy as np
from sklearn.cluster import KMeans

inp = json.load(sys.stdin)
X = np.array(inp["X"], dtype=float)
mu = X.mean(axis=0)
sd = X.std(axis=0)
sd[sd <= 1e-12 * np.maximum(1, np.abs(mu))] = 1.0
Xs = (X - mu) / sd
out = []
for k in inp["ks"]:
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Xs)
    out.append(float(km.inertia_))
json.dump({"inertia": out}, sys.stdout)
