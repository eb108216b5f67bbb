"""Live transcription of a meeting: StartMeetingTranscription and StopMeetingTranscription."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import meetings
from .errors import ServiceError
from .operations import Request, operation, rule
from .validate import Violation

if TYPE_CHECKING:
    from .engine import Engine

ENGINES = ("EngineTranscribeSettings", "EngineTranscribeMedicalSettings")


@rule("one-engine", reads=("TranscriptionConfiguration",))
def _one_engine(request: Request) -> list[Violation]:
    configuration = request.params.get("TranscriptionConfiguration")
    if not isinstance(configuration, dict):
        return []
    chosen = [name for name in ENGINES if configuration.get(name) is not None]
    if len(chosen) == 1:
        return []
    return [
        Violation(
            "TranscriptionConfiguration",
            "one-engine",
            "TranscriptionConfiguration must name exactly one engine, EngineTranscribeSettings or "
            f"EngineTranscribeMedicalSettings; it names {len(chosen)}",
        )
    ]


def engine_problems(settings: dict[str, Any]) -> list[str]:
    """The combinations Amazon Transcribe refuses in EngineTranscribeSettings (its StartStreamTranscription rules)."""
    found = []
    identify = bool(settings.get("IdentifyLanguage"))
    if settings.get("ContentIdentificationType") and settings.get("ContentRedactionType"):
        found.append("You can't set both ContentIdentificationType and ContentRedactionType")
    if identify and settings.get("LanguageCode"):
        found.append("Set either LanguageCode or IdentifyLanguage, not both")
    if not identify and not settings.get("LanguageCode"):
        found.append("Set LanguageCode, or IdentifyLanguage to identify the language")
    options = [code for code in (settings.get("LanguageOptions") or "").split(",") if code]
    if settings.get("LanguageOptions") and not identify:
        found.append("LanguageOptions needs IdentifyLanguage")
    if identify and settings.get("LanguageOptions") and len(options) < 2:
        found.append("LanguageOptions must list at least two language codes")
    preferred = settings.get("PreferredLanguage")
    if preferred and preferred not in options:
        found.append(f"PreferredLanguage {preferred} must be one of LanguageOptions")
    if identify and settings.get("LanguageModelName"):
        found.append("Language identification can't be combined with a custom language model (LanguageModelName)")
    if identify and settings.get("ContentRedactionType"):
        found.append("Language identification can't be combined with redaction (ContentRedactionType)")
    if settings.get("PiiEntityTypes") and not (
        settings.get("ContentIdentificationType") or settings.get("ContentRedactionType")
    ):
        found.append("PiiEntityTypes needs ContentIdentificationType or ContentRedactionType")
    return found


@operation("StartMeetingTranscription", rules=(_one_engine,))
def start_meeting_transcription(engine: Engine, request: Request) -> None:
    """Start transcribing the meeting (200, no body)."""
    meeting_id = meetings.find(engine, request)["MeetingId"]
    running = engine.state.transcriptions.get(meeting_id)
    if running is not None and running["TranscriptFailed"] is None:
        raise ServiceError("UnprocessableEntityException", f"Transcription is already started for meeting {meeting_id}")
    configuration = copy.deepcopy(request.params["TranscriptionConfiguration"])
    settings = configuration.get("EngineTranscribeSettings")
    problems = engine_problems(settings) if isinstance(settings, dict) else []
    engine.state.set_transcription(
        meeting_id,
        {
            "TranscriptionConfiguration": configuration,
            "TranscriptFailed": f"BadRequestException: {'; '.join(problems)}" if problems else None,
        },
    )


@operation("StopMeetingTranscription")
def stop_meeting_transcription(engine: Engine, request: Request) -> None:
    """Stop transcribing the meeting (200, no body)."""
    meeting_id = meetings.find(engine, request)["MeetingId"]
    running = engine.state.transcriptions.get(meeting_id)
    if running is None or running["TranscriptFailed"] is not None:
        raise ServiceError("UnprocessableEntityException", f"No transcription is running for meeting {meeting_id}")
    engine.state.set_transcription(meeting_id, None)
