"""Loading sparkprop's stages from Python, in classic PySpark and over Spark Connect.

pyspark finds the JVM class of a Python class, and the Python class of a JVM class, by
swapping "pyspark" and "org.apache.spark" in the module path. sparkprop's JVM classes are
dev.sparkprop.ml.* and its Python classes sparkprop.ml.*, so that rule names classes that do
not exist (SPARK-24632). This module maps the names explicitly, through each class's
_java_class, in the four places pyspark applies the rule:

- JavaMLReader._java_loader_class (classic `Model.load`): _SparkpropJavaReader overrides it;
- RemoteMLReader.loadInstance (Connect `Model.load`): _SparkpropRemoteReader sends the JVM
  name instead;
- JavaParams._from_java (classic: a JVM stage inside a Pipeline, CrossValidator, ... back to
  Python) and DefaultParamsReader.loadParamsInstance (a stage directory of a Pipeline or
  CrossValidator saved from Python, and every PipelineModel.load in pyspark 4): both are
  static functions, called by pyspark by their class, so install_hooks() wraps them; the
  wrappers handle sparkprop's classes and hand everything else to the function they wrap
  (as SynapseML and CatBoost do for theirs, so the hooks compose).
"""

import os
from typing import Any, Dict, Type, TypeVar

from pyspark.ml.util import DefaultParamsReader, JavaMLReadable, JavaMLReader, MLReader
from pyspark.ml.wrapper import JavaModel, JavaParams
from pyspark.sql.utils import is_remote

RL = TypeVar("RL")

# JVM class name -> Python class, filled by @_register.
_BY_JVM_NAME: Dict[str, type] = {}


def _register(cls: type) -> type:
    """Class decorator: cls._java_class is the JVM class that cls wraps."""
    _BY_JVM_NAME[cls._java_class] = cls  # type: ignore[attr-defined]
    return cls


def _connect() -> bool:
    """True when pyspark's ML calls go over Spark Connect (pyspark's own test, see
    pyspark.ml.util.try_remote_read)."""
    return is_remote() and "PYSPARK_NO_NAMESPACE_SHARE" not in os.environ


class _SparkpropJavaReader(JavaMLReader[RL]):
    """Classic mode: loads through the JVM class named by the Python class's _java_class."""

    @classmethod
    def _java_loader_class(cls, clazz: Type[Any]) -> str:
        return clazz._java_class


class _SparkpropRemoteReader(MLReader[RL]):
    """Spark Connect: asks the server to read `path` as the JVM class _java_class (which the
    server finds through META-INF/services), then builds the Python object around the
    reference it returns, as pyspark's RemoteMLReader does for pyspark's own classes."""

    def __init__(self, clazz: Type[Any]) -> None:
        super().__init__()
        self._clazz = clazz

    def load(self, path: str) -> RL:
        import pyspark.sql.connect.proto as pb2
        from pyspark.ml.connect.serialize import deserialize, deserialize_param
        from pyspark.ml.util import RemoteModelRef
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession.getActiveSession()
        if session is None:
            raise RuntimeError("no active Spark Connect session to load %s from" % path)
        is_model = issubclass(self._clazz, JavaModel)
        kind = (pb2.MlOperator.OPERATOR_TYPE_MODEL if is_model
                else pb2.MlOperator.OPERATOR_TYPE_ESTIMATOR)
        command = pb2.Command()
        command.ml_command.read.CopyFrom(pb2.MlCommand.Read(
            operator=pb2.MlOperator(name=self._clazz._java_class, type=kind), path=path))
        _, properties, _ = session.client.execute_command(command)
        result = deserialize(properties)
        instance = (self._clazz(RemoteModelRef(result.obj_ref.id)) if is_model
                    else self._clazz())
        instance._resetUid(result.uid)
        instance._set(**{k: deserialize_param(v) for k, v in result.params.params.items()})
        return instance


class _SparkpropReadable(JavaMLReadable[RL]):
    """JavaMLReadable whose reader knows the JVM class by _java_class, not by module name."""

    @classmethod
    def read(cls) -> MLReader[RL]:
        """Returns an MLReader instance for this class."""
        if _connect():
            return _SparkpropRemoteReader(cls)
        return _SparkpropJavaReader(cls)


def _wrap_java_stage(py_type: Type[Any], java_stage: Any) -> Any:
    """A Python wrapper around a JVM sparkprop stage, as JavaParams._from_java makes one
    for pyspark's own classes."""
    py_stage = py_type()
    py_stage._java_obj = java_stage
    if issubclass(py_type, JavaModel):
        py_stage._create_params_from_java()
    py_stage._resetUid(java_stage.uid())
    py_stage._transfer_params_from_java()
    return py_stage


def install_hooks() -> None:
    """Wraps JavaParams._from_java and DefaultParamsReader.loadParamsInstance once per
    process (importing sparkprop.ml calls this)."""
    if getattr(JavaParams._from_java, "_sparkprop_hook", False):
        return
    from_java = JavaParams._from_java
    load_params_instance = DefaultParamsReader.loadParamsInstance

    def _from_java(java_stage: Any) -> Any:
        py_type = _BY_JVM_NAME.get(java_stage.getClass().getName())
        if py_type is None:
            return from_java(java_stage)
        return _wrap_java_stage(py_type, java_stage)

    def loadParamsInstance(path: str, sc: Any) -> Any:
        # Reads the stage's metadata to learn its class; a stage of another library is then
        # handed to the wrapped function, which reads it again (one small file per stage).
        metadata = DefaultParamsReader.loadMetadata(path, sc)
        py_type = _BY_JVM_NAME.get(metadata["class"])
        if py_type is None:
            return load_params_instance(path, sc)
        return py_type.load(path)

    _from_java._sparkprop_hook = True  # type: ignore[attr-defined]
    JavaParams._from_java = staticmethod(_from_java)  # type: ignore[method-assign]
    DefaultParamsReader.loadParamsInstance = staticmethod(  # type: ignore[method-assign]
        loadParamsInstance)
