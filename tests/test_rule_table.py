"""The strategies break the rules the operation table declares, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from pytest_chime import facts, model, operations, validate
from pytest_chime import strategies as chime_st
from pytest_chime.strategies import invalid
from pytest_chime.strategies.invalid import InvalidRequest

#: Every (service, operation) the fake answers with the installed botocore.
COVERED = [(service, operation) for service in facts.SERVICES for operation in operations.implemented(service)]


def read_members(operation: str, rule: str) -> set[str]:
    """The request members the checks reporting ``rule`` for ``operation`` read."""
    reads: set[str] = set()
    found = operations.find(operation)
    assert found is not None
    for check in found.rules:
        info = validate.rule_info(check)
        if rule in info.names and info.reads is not None:
            reads |= set(info.reads)
    return reads


@pytest.mark.parametrize(("service", "operation"), COVERED)
def test_every_rule_the_strategies_break_is_declared_for_the_operation_or_a_model_constraint(
    service: str, operation: str
) -> None:
    allowed = set(operations.rule_names(operation)) | set(validate.SERVER_ONLY_MODEL_RULES)
    breakable = invalid.breakable_rules(operation, service=service)
    assert breakable <= allowed


@pytest.mark.parametrize(("service", "operation"), COVERED)
def test_every_declared_service_rule_has_a_breaker_or_a_reason_not_to(service: str, operation: str) -> None:
    members = set(model.operation(service, operation).input_shape.members)  # type: ignore[union-attr]
    breakable = invalid.breakable_rules(operation, service=service)
    for rule in operations.rule_names(operation):
        if not read_members(operation, rule) & members:
            continue  # the rule reads no member this service's model has: nothing to break
        assert rule in breakable or (service, rule) in invalid.NOT_DRAWN, f"{service} {operation}: {rule}"


@pytest.mark.parametrize(("service", "rule"), sorted(invalid.NOT_DRAWN))
def test_a_rule_listed_as_not_drawn_is_never_drawn(service: str, rule: str) -> None:
    assert invalid.NOT_DRAWN[(service, rule)]  # the reason
    for operation in operations.implemented(service):
        assert rule not in invalid.breakable_rules(operation, service=service)


def test_invalid_rules_are_the_model_constraints_only_the_service_checks_and_every_declared_rule() -> None:
    declared = {rule for operation in operations.names() for rule in operations.rule_names(operation)}
    assert set(chime_st.INVALID_RULES) == set(validate.SERVER_ONLY_MODEL_RULES) | declared
    assert "one-engine" in chime_st.INVALID_RULES
    assert set(validate.SERVER_ONLY_MODEL_RULES) <= set(validate.MODEL_RULES)


@pytest.mark.parametrize("operation", ["CreateMeeting", "CreateAttendee", "TagResource", "StartMeetingTranscription"])
def test_drawn_invalid_requests_break_a_rule_declared_for_their_operation(operation: str) -> None:
    allowed = set(operations.rule_names(operation)) | set(validate.SERVER_ONLY_MODEL_RULES)

    @settings(max_examples=30, database=None, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(chime_st.invalid_requests(operation))
    def check(found: InvalidRequest) -> None:
        assert found.rule in allowed

    check()
