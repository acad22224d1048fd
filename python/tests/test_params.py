"""The Python Params mirror the JVM classes': names, defaults, keyword arguments, setters."""

import inspect

import pytest
from pyspark.ml.param import Param

from sparkprop.ml import (SparkpropClassificationModel, SparkpropClassifier,
                          SparkpropRegressionModel, SparkpropRegressor)

from conftest import PIXELS

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")

PAIRS = [(SparkpropClassifier, SparkpropClassificationModel),
         (SparkpropRegressor, SparkpropRegressionModel)]
ESTIMATORS = [estimator for estimator, _ in PAIRS]


def declared(cls):
    """Names of the Params a class declares (its own and inherited)."""
    return {name for name in dir(cls) if isinstance(getattr(cls, name), Param)}


def jvm_value(value):
    """A py4j value as the Python value it stands for (JVM arrays as lists)."""
    from py4j.java_collections import JavaArray

    return list(value) if isinstance(value, JavaArray) else value


@pytest.mark.only("classic", reason="reads the JVM classes' Params through py4j")
@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_python_params_are_the_jvm_params_with_the_same_defaults(spark, estimator_class):
    estimator = estimator_class()
    java = estimator._java_obj
    java_params = {p.name(): p for p in java.params()}
    python_params = {p.name: p for p in estimator.params}
    assert set(python_params) - set(java_params) == set(), "Python only"
    assert set(java_params) - set(python_params) == set(), "JVM only"
    for name, java_param in java_params.items():
        param = python_params[name]
        if java.hasDefault(java_param):
            expected = jvm_value(java.getDefault(java_param).get())
            assert estimator.hasDefault(param), f"{name}: the JVM's default is {expected!r}"
            assert estimator.getOrDefault(param) == expected, name
        else:
            assert not estimator.hasDefault(param), f"{name} has no default in the JVM"


@pytest.mark.only("classic", reason="reads the JVM model's Params through py4j")
@pytest.mark.parametrize("estimator_class, model_class", PAIRS)
def test_fitted_jvm_model_has_the_python_models_params(digits, estimator_class, model_class):
    from pyspark.ml.feature import VectorAssembler

    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    model = estimator_class(hiddenLayers=[2], maxIter=1).fit(data)
    assert type(model) is model_class
    assert sorted(p.name() for p in model._java_obj.params()) == sorted(declared(model_class))


@pytest.mark.parametrize("estimator_class, model_class", PAIRS)
def test_model_declares_the_estimators_params(estimator_class, model_class):
    assert declared(model_class) == declared(estimator_class)


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_keyword_arguments_are_the_params_with_their_defaults(spark, estimator_class):
    estimator = estimator_class()
    for method in [estimator_class.__init__, estimator_class.setParams]:
        signature = inspect.signature(method)
        keywords = {name: p.default for name, p in signature.parameters.items()
                    if name != "self"}
        assert all(p.kind is p.KEYWORD_ONLY for name, p in signature.parameters.items()
                   if name != "self")
        assert set(keywords) == declared(estimator_class), method.__name__
        for name, default in keywords.items():
            if default is None:
                assert not estimator.hasDefault(name), name
            else:
                assert estimator.getOrDefault(name) == default, name


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_every_param_has_a_getter_and_a_setter(spark, estimator_class):
    estimator = estimator_class()
    samples = {"list_int": [3, 2], "list_float": [0.5], "bool": True, "int": 7,
               "float": 0.25, "str": "x"}
    for name in declared(estimator_class):
        suffix = name[0].upper() + name[1:]
        param = estimator.getParam(name)
        converter = param.typeConverter.__name__
        kind = {"toListInt": "list_int", "toListFloat": "list_float", "toBoolean": "bool",
                "toInt": "int", "toFloat": "float", "toString": "str"}[converter]
        value = samples[kind]
        assert getattr(estimator, "set" + suffix)(value) is estimator, name
        assert getattr(estimator, "get" + suffix)() == value, name


def test_keyword_only(spark):
    with pytest.raises(TypeError, match="forces keyword arguments"):
        SparkpropClassifier([64])
