"""What a work's page shows about the people and works around it: who it is for, what inspired it, what it
inspired, and an invitation to co-create it waiting for the reader."""

from fanfold.works.gifts import work_gifts
from fanfold.works.models import CreatorInvitation, Work
from fanfold.works.related import child_works, parent_links


def work_people_context(*, work: Work, viewer) -> dict:
    """Template context for `works/creators/_work_people.html`."""
    gifts = work_gifts(work)
    signed_in = getattr(viewer, "is_authenticated", False)
    invitation = None
    if signed_in:
        invitation = CreatorInvitation.objects.filter(work=work, pseud__user=viewer).select_related("pseud").first()
    children = child_works(parent=work, viewer=viewer)
    return {
        "work_gifts": gifts,
        "gift_to_viewer": signed_in and any(gift.pseud and gift.pseud.user_id == viewer.pk for gift in gifts),
        "parent_links": parent_links(child=work, viewer=viewer),
        "inspired_works": [link for link in children if not link.translation],
        "translations": [link for link in children if link.translation],
        "creator_invitation": invitation,
    }
