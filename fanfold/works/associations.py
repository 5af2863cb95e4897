"""What the posting and edit forms say about a work's people and sources: co-creators to invite, the people it
is a gift to, and the works that inspired it. Saved with the work, in its transaction: one refusal and nothing
of the submission is saved."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction

from fanfold.accounts.models import User
from fanfold.accounts.selectors import pseud_by_byline
from fanfold.works.creators import MAX_PENDING_INVITATIONS, creator_invite
from fanfold.works.gifts import work_gifts_set
from fanfold.works.models import Work
from fanfold.works.related import ParentFields, related_work_add, related_works_remove


@dataclasses.dataclass
class Associations:
    co_creators: list[str] = dataclasses.field(default_factory=list)
    gifts: list[str] = dataclasses.field(default_factory=list)
    parent: ParentFields | None = None
    removed_parent_links: list[int] = dataclasses.field(default_factory=list)


def _merge(errors: dict[str, list[str]], error: ValidationError, field: str) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault(field, []).extend(error.messages)


def _invite(work: Work, by: User, names: list[str], errors: dict[str, list[str]]) -> None:
    names = [" ".join(name.split()) for name in names if name.strip()]
    if len(names) > MAX_PENDING_INVITATIONS:
        errors.setdefault("co_creators", []).append(
            f"You can invite at most {MAX_PENDING_INVITATIONS} co-creators at once; you named {len(names)}."
        )
        return
    for name in names:
        found = pseud_by_byline(name)
        if found.problem:
            errors.setdefault("co_creators", []).append(found.problem)
        elif found.pseud is None:
            errors.setdefault("co_creators", []).append(f"There is no user or pseud called “{name}”.")
        else:
            try:
                creator_invite(work=work, by=by, pseud=found.pseud)
            except ValidationError as error:
                _merge(errors, error, "co_creators")


@transaction.atomic
def work_associations_set(*, work: Work, by: User, associations: Associations, request_host: str = "") -> None:
    """Invite the co-creators named, make the work a gift to exactly the people named, and link it to the work
    that inspired it; every refusal is reported, by the field it is about, and then nothing is saved."""
    errors: dict[str, list[str]] = {}
    _invite(work, by, associations.co_creators, errors)
    try:
        work_gifts_set(work=work, by=by, recipients=associations.gifts)
    except ValidationError as error:
        _merge(errors, error, "gifts")
    if associations.removed_parent_links:
        related_works_remove(child=work, by=by, link_ids=associations.removed_parent_links)
    if associations.parent is not None and associations.parent.reference.strip():
        try:
            related_work_add(child=work, by=by, parent=associations.parent, request_host=request_host)
        except ValidationError as error:
            _merge(errors, error, "parent_reference")
    if errors:
        raise ValidationError(errors)
