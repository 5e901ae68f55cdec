"""政务公开: publishing bodies, proactive publications, information requests and annual reports."""

from .bodies import Body, BodyMember, Counter, FeeBand, FeeWaiverReason, Setting
from .publications import Category, DocKind, Publication, PublicationAttachment, PublicationEvent, PubStatus
from .reports import AnnualReport
from .requests import (
    Appeal,
    ApplicantKind,
    Channel,
    ClockStop,
    Consultation,
    Extension,
    InfoRequest,
    ReqStatus,
    RequestAttachment,
    RequestEvent,
)
from .village import (
    Cadence,
    Catalogue,
    ContentKind,
    FinanceLine,
    ReliefRow,
    VillageCadence,
    VillageCategory,
    VillageDisclosure,
    VillageDueOverride,
    VillagePeriod,
)

__all__ = [
    "AnnualReport", "Appeal", "ApplicantKind", "Body", "BodyMember", "Category", "Channel", "ClockStop",
    "Consultation", "Counter", "DocKind", "Extension", "FeeBand", "FeeWaiverReason", "InfoRequest", "PubStatus", "Publication",
    "PublicationAttachment", "PublicationEvent", "ReqStatus", "RequestAttachment", "RequestEvent", "Setting",
    "Cadence", "Catalogue", "ContentKind", "FinanceLine", "ReliefRow", "VillageCadence", "VillageCategory",
    "VillageDisclosure", "VillageDueOverride", "VillagePeriod",
]
