#!/usr/bin/python3
"""Records scikit-learn's classification metrics for deterministic inputs, for Cauchy.Metrics.Tests.

scikit-learn is an implementation independent of ours; the tests compare our accumulator with the values
recorded here, they do not run Python. Regenerate with Debian's interpreter (python3-sklearn, python3-numpy):

    /usr/bin/python3 tests/Cauchy.Metrics.Tests/reference/classification_reference.py \
        > tests/Cauchy.Metrics.Tests/reference/classification_reference.json
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, top_k_accuracy_score


def case(name, scores, labels, extra_k):
    scores = scores.astype(np.float32)
    n, c = scores.shape
    classes = list(range(c))
    predicted = scores.argmax(axis=1)
    p, r, f, support = precision_recall_fscore_support(labels, predicted, labels=classes, zero_division=0)
    averages = {}
    for average in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(labels, predicted, labels=classes, average=average, zero_division=0)
        averages[average] = {"precision": float(ap), "recall": float(ar), "f1": float(af)}
    top = lambda k: float(top_k_accuracy_score(labels, scores, k=min(k, c), labels=classes)) if c > 2 else float(accuracy_score(labels, predicted))
    return {
        "name": name,
        "num_classes": c,
        "extra_top_k": extra_k,
        "scores": [float(v) for v in scores.reshape(-1)],
        "labels": [int(v) for v in labels],
        "top1_accuracy": float(accuracy_score(labels, predicted)),
        "top5_accuracy": top(5),
        "top_k_accuracy": top(extra_k) if extra_k else 0.0,
        "precision": [float(v) for v in p],
        "recall": [float(v) for v in r],
        "f1": [float(v) for v in f],
        "support": [int(v) for v in support],
        "macro": averages["macro"],
        "weighted": averages["weighted"],
        "confusion_matrix": [int(v) for v in confusion_matrix(labels, predicted, labels=classes).reshape(-1)],
    }


rng = np.random.default_rng(20261122)
cases = []

# A plausible 10-class evaluation: logits that favour the true class most of the time.
labels = rng.integers(0, 10, size=1000)
logits = rng.normal(size=(1000, 10))
logits[np.arange(1000), labels] += rng.uniform(0.0, 3.0, size=1000)
cases.append(case("ten_classes_1000_samples", logits, labels, 3))

# Class 4 never occurs and class 5 is never predicted: zero denominators must give 0, not NaN.
labels = rng.choice([0, 1, 2, 3, 5], size=300)
logits = rng.normal(size=(300, 6))
logits[:, 5] -= 100.0
logits[np.arange(300), labels] += 1.5
cases.append(case("absent_and_never_predicted_classes", logits, labels, 2))

# Three classes: "top-5" covers every class.
labels = rng.integers(0, 3, size=200)
logits = rng.normal(size=(200, 3))
cases.append(case("three_classes", logits, labels, 2))

print(json.dumps({"generator": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}", "cases": cases}))
