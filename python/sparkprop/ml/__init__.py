"""Spark ML Estimators and Models of sparkprop, for classic PySpark and Spark Connect.

    from sparkprop.ml import SparkpropClassifier, SparkpropRegressor

Importing this module installs the loading hooks of sparkprop.ml._persistence, so that
Pipelines and tuning models holding sparkprop stages load from Python.
"""

from sparkprop.ml._persistence import install_hooks
from sparkprop.ml.classification import SparkpropClassificationModel, SparkpropClassifier
from sparkprop.ml.regression import SparkpropRegressionModel, SparkpropRegressor

__all__ = [
    "SparkpropClassifier",
    "SparkpropClassificationModel",
    "SparkpropRegressor",
    "SparkpropRegressionModel",
]

install_hooks()
