"""What a work's page shows about the people and works around it: who it is for, what inspired it, what it
inspired, and an invitation to co-create it waiting for the reader."""

from django.db.models.expressions import RawSQL

from fanfold.core.exists import has_rows
from fanfold.works.creators import invitations_waiting_for
from fanfold.works.gifts import work_gifts
from fanfold.works.models import Gift, RelatedWork, RelationStatus, Work
from fanfold.works.related import child_works, parent_links


def work_people_flags() -> dict[str, RawSQL]:
    """Annotations saying whether a work has any gifts, "inspired by" links or approved works inspired by it,
    loaded with the work, so its page asks for none of what it has none of (most works have none)."""
    return {
        "has_gifts": has_rows(Gift, pointing_at=Work, via="work", refused=False),
        "has_parent_links": has_rows(RelatedWork, pointing_at=Work, via="child"),
        "has_child_links": has_rows(RelatedWork, pointing_at=Work, via="parent", status=RelationStatus.APPROVED),
    }


def work_people_context(*, work: Work, viewer) -> dict:
    """Template context for `works/creators/_work_people.html` (a work loaded without `work_people_flags` is
    asked about everything)."""
    gifts = work_gifts(work) if getattr(work, "has_gifts", True) else []
    signed_in = getattr(viewer, "is_authenticated", False)
    invitation = None
    if signed_in:
        invitation = invitations_waiting_for(viewer).filter(work=work).select_related("pseud").first()
    children = child_works(parent=work, viewer=viewer) if getattr(work, "has_child_links", True) else []
    return {
        "work_gifts": gifts,
        "gift_to_viewer": signed_in and any(gift.pseud and gift.pseud.user_id == viewer.pk for gift in gifts),
        "parent_links": parent_links(child=work, viewer=viewer) if getattr(work, "has_parent_links", True) else [],
        "inspired_works": [link for link in children if not link.translation],
        "translations": [link for link in children if link.translation],
        "creator_invitation": invitation,
    }
