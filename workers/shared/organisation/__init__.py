"""The organisation: departments, responsibility lists, people and company roles (policy §2).

`model` loads and checks the organisation file, `lookups` answers who-is-who questions for the
processes, `provision` syncs it into the engine (users, groups, grants, Tasklist filters).
"""

from workers.shared.organisation.model import Organisation, OrganisationError, load_organisation

__all__ = ["Organisation", "OrganisationError", "load_organisation"]
