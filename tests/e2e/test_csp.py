"""Under the Content-Security-Policy, in real Chromium: no page is blocked from anything, and the scripts work."""

import base64

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports each blocked script, style or image to the page as a `securitypolicyviolation` event; this
# runs before the page's own scripts on every navigation, and is not itself subject to the policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""
ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class Watched:
    """A page whose policy violations, console errors and script errors are kept."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))
        # A writer's embedded image, served without going to the internet.
        page.route(
            "https://images.example.org/**",
            lambda route: route.fulfill(status=200, content_type="image/png", body=ONE_PIXEL_PNG),
        )

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")

    def open(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        return response

    def problems(self) -> list[str]:
        return self.page.evaluate("window.__violations") + self.console


@pytest.fixture
def watched(page):
    return Watched(page)


@pytest.fixture
def archive(make_user, make_work):
    writer = make_user("lampwriter")
    for number in range(14):
        make_work(writer, title=f"Lamp {number}", freeforms=[f"Harbour Light {number:02}", "Fluff"])
    work = make_work(
        writer,
        title="The Divider",
        content='<p align="center">* * *</p><p>Before the storm.</p>'
        '<img src="https://images.example.org/divider.png" alt="a lamp divider">',
    )
    wrangler = make_user("lampwrangler")
    wrangler.user_permissions.add(Permission.objects.get(codename="wrangle_tags"))
    return {"writer": writer, "reader": make_user("lampreader"), "wrangler": wrangler, "work": work}


def test_the_watch_sees_what_the_policy_blocks(watched):
    """Without this, a watch that saw nothing would make every test below pass."""
    watched.open("/")

    ran = watched.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
          document.body.setAttribute("style", "background: red");
          return window.__ran === true;
        }"""
    )

    assert ran is False
    expect(watched.page.locator("body")).not_to_have_css("background-color", "rgb(255, 0, 0)")
    watched.page.wait_for_function("window.__violations.length >= 2")
    problems = watched.problems()
    assert any("script-src" in problem for problem in problems)
    assert any("style-src" in problem for problem in problems)


@pytest.mark.parametrize(
    "who, path",
    [
        (None, "/"),
        (None, "/works/"),
        (None, "/login/"),
        (None, "/signup/"),
        ("reader", "/works/{work}/"),
        ("reader", "/preferences/"),
        ("writer", "/works/new/"),
        ("writer", "/users/lampwriter/"),
        ("wrangler", "/tags/wrangle/"),
    ],
)
def test_main_pages_load_with_nothing_blocked(watched, log_in_as, archive, who, path):
    if who:
        log_in_as(archive[who])

    watched.open(path.format(work=archive["work"].pk))
    watched.page.wait_for_load_state("networkidle")

    assert watched.problems() == []


def test_a_writers_embedded_image_loads(watched, archive):
    watched.open(f"/works/{archive['work'].pk}/")

    image = watched.page.get_by_role("img", name="a lamp divider")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
    assert watched.problems() == []


def test_tag_suggestions_and_show_more_work_on_the_listing(watched, archive):
    watched.open("/works/")

    watched.page.get_by_label("Other tags to include").press_sequentially("Harbour Light 1")
    expect(watched.page.locator("datalist option[value='Harbour Light 13']")).to_have_count(1)

    facet = watched.page.locator("fieldset.facet-freeform")
    hidden = facet.locator("details.facet-more label", has_text="Harbour Light")
    expect(hidden.first).to_be_hidden()
    facet.get_by_text("Show more").click()
    expect(hidden.first).to_be_visible()
    assert watched.problems() == []


def test_tag_suggestions_work_on_the_posting_form(watched, log_in_as, archive):
    log_in_as(archive["writer"])
    watched.open("/works/new/")

    watched.page.get_by_label("Additional Tags").press_sequentially("Flu")

    expect(watched.page.locator("datalist option[value='Fluff']")).to_have_count(1)
    assert watched.problems() == []


def test_kudos_are_left_without_reloading_the_page(watched, log_in_as, archive):
    log_in_as(archive["reader"])
    watched.open(f"/works/{archive['work'].pk}/")
    watched.page.evaluate("window.__same_page = true")

    watched.page.get_by_role("button", name="Kudos").click()

    expect(watched.page.locator("[data-kudos-message]")).to_have_text("Thank you for leaving kudos!")
    expect(watched.page.locator("#kudos")).to_contain_text("lampreader")
    assert watched.page.evaluate("window.__same_page") is True
    assert watched.problems() == []


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/works/work/", "/admin/works/work/{work}/change/", "/admin/tags/tag/add/"]
)
def test_the_admin_works_under_the_policy(watched, log_in_as, archive, path):
    staff = archive["wrangler"]
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    log_in_as(staff)

    watched.open(path.format(work=archive["work"].pk))
    watched.page.wait_for_load_state("networkidle")

    expect(watched.page.locator("#content")).to_be_visible()
    assert watched.problems() == []
