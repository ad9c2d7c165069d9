"""Whose figures a page shows: one organisation (its employer admins, programme admins) or every organisation
(programme admins), and the URLs of that scope's pages, so dashboards, lists and exports link to each other."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from portal.users.models import Organisation

#: page name -> (endpoint of the organisation scope, endpoint of the national scope)
ENDPOINTS = {
    "dashboard": ("oversight.organisation_dashboard", "oversight.programme_dashboard"),
    "people": ("oversight.organisation_people", "oversight.programme_people"),
    "people_export": ("oversight.organisation_people_export", "oversight.programme_people_export"),
    "verifications": ("oversight.organisation_verifications", "oversight.programme_verifications"),
    "verifications_export": ("oversight.organisation_verifications_export",
                             "oversight.programme_verifications_export"),
    "assessments": ("oversight.organisation_assessments", "oversight.programme_assessments"),
    "assessments_export": ("oversight.organisation_assessments_export", "oversight.programme_assessments_export"),
}


@dataclass(frozen=True)
class Scope:
    organisation: Organisation | None

    @property
    def national(self) -> bool:
        return self.organisation is None

    @property
    def organisation_ids(self) -> set[int] | None:
        """The organisations whose enrolments count (None: all)."""
        return None if self.organisation is None else {self.organisation.id}

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation else "All organisations"

    @property
    def file_stem(self) -> str:
        return self.organisation.code if self.organisation else "national"

    def url(self, page: str, **args: Any) -> str:
        """The URL of one of this scope's pages with query arguments (None values left out)."""
        by_org, national = ENDPOINTS[page]
        args = {k: v for k, v in args.items() if v is not None and v != ""}
        if self.organisation is None:
            return url_for(national, **args)
        return url_for(by_org, org_id=self.organisation.id, **args)
