"""What the installed botocore's models say about the Chime services (botocore imported on first use)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from . import caches, facts

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape


class OperationSpec(NamedTuple):
    """One operation of one service, as the installed botocore models it."""

    service: str
    name: str
    model: OperationModel
    success_status: int
    #: Modelled error code -> HTTP status, in the model's order.
    errors: dict[str, int]

    @property
    def input_shape(self) -> Shape:
        """The request's structure shape."""
        shape = self.model.input_shape
        assert shape is not None
        return shape

    @property
    def output_shape(self) -> Shape:
        """The response's structure shape."""
        shape = self.model.output_shape
        assert shape is not None
        return shape

    def error_shape(self, code: str) -> Shape:
        """The modelled shape of error ``code``."""
        for shape in self.model.error_shapes:
            if shape.name == code:
                return shape
        raise KeyError(code)


def botocore_version() -> str:
    """The installed botocore's version."""
    import botocore

    return str(botocore.__version__)


@caches.cached(maxsize=8)
def service_model(service: str) -> ServiceModel | None:
    """botocore's model of ``service``, or None when the installed botocore lacks it."""
    import botocore.exceptions
    import botocore.loaders
    import botocore.model

    try:
        data = _loader().load_service_model(service, "service-2")
    except (botocore.exceptions.UnknownServiceError, botocore.exceptions.DataNotFoundError):
        return None
    return botocore.model.ServiceModel(data, service_name=service)


@caches.cached(maxsize=1)
def _loader() -> Any:
    import botocore.loaders

    return botocore.loaders.create_loader()


@caches.cached(maxsize=512)
def operation(service: str, name: str = "CreateMeeting") -> OperationSpec | None:
    """The spec of ``service``'s operation ``name``, or None when it is not modelled."""
    model = service_model(service)
    if model is None or name not in model.operation_names:
        return None
    op = model.operation_model(name)
    status = op.http.get("responseCode", facts.DEFAULT_SUCCESS_STATUS)
    errors = {shape.name: shape.metadata.get("error", {}).get("httpStatusCode", 400) for shape in op.error_shapes}
    return OperationSpec(service=service, name=name, model=op, success_status=status, errors=errors)


def services(operation_name: str = "CreateMeeting") -> tuple[str, ...]:
    """The Chime services whose installed model has ``operation_name`` (default: CreateMeeting)."""
    return tuple(s for s in facts.SERVICES if operation(s, operation_name) is not None)


def operation_names(service: str) -> tuple[str, ...]:
    """Every operation the installed botocore models for ``service``."""
    model = service_model(service)
    return tuple(model.operation_names) if model is not None else ()


def error_codes(service: str, operation: str = "CreateMeeting") -> tuple[str, ...]:
    """The exception codes the installed botocore models for ``service``'s ``operation``.

    Use it to parametrize a test over every exception::

        @pytest.mark.parametrize("code", error_codes("chime-sdk-meetings", operation="GetMeeting"))
    """
    spec = _operation(service, operation)
    if spec is None:
        from .errors import UnknownOperationError

        raise UnknownOperationError(service, operation, services(operation))
    return tuple(spec.errors)


_operation = operation


@caches.cached(maxsize=8)
def control_regions(service: str) -> frozenset[str]:
    """The regions where ``service`` has an endpoint: botocore's endpoint data, else ``facts.CONTROL_REGIONS``.

    FIPS variants count as their region. The legacy service is global (us-east-1).
    """
    if service == facts.LEGACY:
        return frozenset({facts.LEGACY_CONTROL_REGION})
    spec = service_model(service)
    prefix = spec.endpoint_prefix if spec is not None else ""
    found: set[str] = set()
    try:
        data = _loader().load_data("endpoints")
    except Exception:  # no endpoint data in this botocore: the documented list
        data = {}
    for partition in data.get("partitions", ()):
        for region in partition.get("services", {}).get(prefix, {}).get("endpoints", {}):
            found.add(region.removesuffix("-fips").removeprefix("fips-"))
    return frozenset(found) if found else frozenset(facts.CONTROL_REGIONS)


def shaped(value: Any, shape: Shape) -> Any:
    """``value`` with only the members ``shape`` has, at every depth, in the model's order (what an
    answer can carry of a request's or a record's members)."""
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return {name: shaped(value[name], member) for name, member in shape.members.items() if name in value}
    if shape.type_name == "list" and isinstance(value, list):
        return [shaped(item, shape.member) for item in value]
    return value
