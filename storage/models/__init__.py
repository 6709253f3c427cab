"""The tables: the whole domain of coachbot, tenant-scoped.

Every row that belongs to a customer carries `org_id` (directly or through its
parent), so no query can mix two organisations by accident. Instants are
`UTCDateTime`; calendar days (a vacation, a due date) are plain dates, because a day
means the person's own local day. One module per part of the domain; import the
tables from here.
"""

from storage.models.cadence import CadenceRule, Delivery, Occurrence, OneOnOne, PlanHorizon
from storage.models.columns import CONFIDENCES, PLATFORMS, ROLES, SELLING_ROLES, UNRATED
from storage.models.customers import Account, Conversation, DiscoveryNote, SalaryTalk
from storage.models.events import Event, EventAttendee, Lead
from storage.models.meetings import ActionItem, AlertDigest, Meeting
from storage.models.okrs import KR_KINDS, CheckIn, CheckInAnswer, KeyResult, Objective
from storage.models.people import Absence, ChatIdentity, Organisation, Person, Workspace
from storage.models.platform import (
    ConsoleCard,
    ProcessedEvent,
    SlackInstallation,
    SlackOAuthState,
    TeamsConversationRef,
)
from storage.models.wig import (
    Commitment,
    LeadMeasure,
    LeadMeasureEntry,
    LeadTarget,
    ScorecardChannel,
    ScorecardPost,
    Wig,
    WigReading,
)

__all__ = [
    "Absence",
    "Account",
    "ActionItem",
    "AlertDigest",
    "CONFIDENCES",
    "ConsoleCard",
    "CadenceRule",
    "ChatIdentity",
    "CheckIn",
    "CheckInAnswer",
    "Commitment",
    "Conversation",
    "Delivery",
    "DiscoveryNote",
    "Event",
    "EventAttendee",
    "KR_KINDS",
    "KeyResult",
    "Lead",
    "LeadMeasure",
    "LeadMeasureEntry",
    "LeadTarget",
    "Meeting",
    "Objective",
    "Occurrence",
    "OneOnOne",
    "Organisation",
    "PLATFORMS",
    "Person",
    "PlanHorizon",
    "ProcessedEvent",
    "ROLES",
    "SELLING_ROLES",
    "SalaryTalk",
    "ScorecardChannel",
    "ScorecardPost",
    "SlackInstallation",
    "SlackOAuthState",
    "TeamsConversationRef",
    "UNRATED",
    "Wig",
    "WigReading",
    "Workspace",
]
