"""One pass over a set of pages in a real browser, as the page-type tests make it."""

from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_pages import WCAG_22_AA


def sweep(browser, base, pages, *, axe_widths=(320, 1280), console_errors=False):
    """Visit every page of `pages` ({name: path}) at 320 and 1280 px and return
    (axe violations by (name, width) at `axe_widths`, sideways overflow in px by
    name at 320 px, script errors, and with `console_errors` the console's too).
    Every page must answer 200."""
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    violations, too_wide, errors = {}, {}, []
    for width in (320, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if console_errors:
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response.status == 200, name
            if width == 320:
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    too_wide[name] = overflow
            if width in axe_widths:
                found = axe.run(page, options=options).response["violations"]
                if found:
                    violations[(name, width)] = [
                        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
                    ]
        context.close()
    return violations, too_wide, errors
