"""Real clients that are not Python libraries reach the served fake: the aws CLI and the JavaScript SDK v3.

Evidence tests (seconds each): .ci/run runs them on both botocore eras. The Node.js test needs
``node`` and the directory npm installed ``@aws-sdk/client-chime-sdk-meetings`` into, named by
``PYTEST_CHIME_JS_SDK`` (a ``node_modules`` directory; .ci/run sets it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_chime import facts

from .conftest import SERVICES

pytestmark = [pytest.mark.evidence, pytest.mark.loopback]

SCRIPT = Path(__file__).parent / "js" / "backend.cjs"
JS_SDK = os.environ.get("PYTEST_CHIME_JS_SDK", "")


def aws(*args: str, check: bool = True) -> Any:
    """The aws CLI of this environment (``python -m awscli``), with nothing but the environment."""
    done = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--output", "json"], capture_output=True, text=True, timeout=120
    )
    if not check:
        return done
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def unknown_to_the_cli(done: subprocess.CompletedProcess[str]) -> bool:
    """The CLI answered that it has no such command (its botocore lacks the service or operation)."""
    return done.returncode != 0 and "Invalid choice" in done.stderr


@pytest.mark.chime_error("ServiceUnavailableException", operation="GetMeeting", times=1)
def test_the_aws_cli_creates_gets_lists_and_deletes(fake_chime_server, service):
    create = ["--client-request-token", "cli-token-0001", "--media-region", "us-east-1"]
    done = aws(service, "create-meeting", *create, "--external-meeting-id", "cli-standup", check=False)
    if unknown_to_the_cli(done):
        pytest.fail(
            f"this environment's aws CLI has no `{service} create-meeting`: on the legacy era install the awscli "
            "release whose botocore has it (awscli==1.38.1 for botocore 1.37.1; newer ones bundle their own botocore)"
        )
    assert done.returncode == 0, done.stderr
    meeting = json.loads(done.stdout)["Meeting"]
    meeting_id = meeting["MeetingId"]
    assert fake_chime_server.meetings[meeting_id]["ExternalMeetingId"] == "cli-standup"
    assert aws(service, "get-meeting", "--meeting-id", meeting_id)["Meeting"] == meeting  # after a retried 503
    attendee = aws(service, "create-attendee", "--meeting-id", meeting_id, "--external-user-id", "cli-alice")
    assert aws(service, "list-attendees", "--meeting-id", meeting_id)["Attendees"] == [attendee["Attendee"]]
    aws(service, "delete-meeting", "--meeting-id", meeting_id)
    gone = aws(service, "get-meeting", "--meeting-id", meeting_id, check=False)
    assert gone.returncode != 0 and "NotFoundException" in gone.stderr
    assert fake_chime_server.meetings == {}
    assert [(c.operation, c.status) for c in fake_chime_server.calls_of("GetMeeting")] == [
        ("GetMeeting", 503),
        ("GetMeeting", 200),
        ("GetMeeting", 404),
    ]


@pytest.mark.chime_error("ServiceUnavailableException", operation="CreateAttendee", times=1)
def test_a_nodejs_backend_on_the_javascript_sdk(fake_chime_server):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (`node` is not on PATH)")
    if not JS_SDK or not (Path(JS_SDK) / "@aws-sdk" / "client-chime-sdk-meetings").is_dir():
        pytest.skip(
            "the JavaScript SDK is not installed: `npm install --prefix DIR @aws-sdk/client-chime-sdk-meetings`, "
            "then PYTEST_CHIME_JS_SDK=DIR/node_modules (.ci/run does both)"
        )
    done = subprocess.run(
        [node, str(SCRIPT)], capture_output=True, text=True, timeout=120, env={**os.environ, "NODE_PATH": JS_SDK}
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    meeting_id = seen["meeting"]["MeetingId"]
    assert seen["attempts"] == [2, 1]  # the SDK's own retry of the injected 503
    assert [a["ExternalUserId"] for a in seen["listed"]] == ["alice", "bob"]
    assert seen["listed"] == seen["attendees"]
    assert seen["afterDelete"] == {"name": "NotFoundException", "status": 404}
    assert [(c.service, c.operation, c.status) for c in fake_chime_server.calls] == [
        (facts.MODERN, "CreateMeeting", 200),
        (facts.MODERN, "CreateAttendee", 503),
        (facts.MODERN, "CreateAttendee", 200),
        (facts.MODERN, "CreateAttendee", 200),
        (facts.MODERN, "ListAttendees", 200),
        (facts.MODERN, "DeleteMeeting", 204),
        (facts.MODERN, "GetMeeting", 404),
    ]
    assert fake_chime_server.calls_of("CreateMeeting")[0].params["ExternalMeetingId"] == "node-standup"
    assert meeting_id not in fake_chime_server.meetings


def test_every_served_service_is_reachable_by_the_cli(fake_chime_server):
    """Each service's endpoint variable is honoured by the CLI: its calls reach that service, not another."""
    known = set()
    for service in SERVICES:
        done = aws(service, "list-attendees", "--meeting-id", "00000000-0000-0000-0000-000000000000", check=False)
        if not unknown_to_the_cli(done):
            assert "NotFoundException" in done.stderr
            known.add(service)
    assert facts.MODERN in known
    assert {c.service for c in fake_chime_server.calls} == known
