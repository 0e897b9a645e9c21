from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory


def links(number, count):
    """The pagination block for page `number` of `count` pages, as (label, current) pairs."""
    page = Paginator(range(count), 1).page(number)
    request = RequestFactory().get("/actions/", {"q": "data", "page": number})
    html = Template('{% include "includes/pagination.html" %}').render(
        Context({"page": page, "request": request})
    )
    items = []
    for chunk in html.split('<li class="pagination__item')[1:]:
        if chunk.startswith(" pagination__item--ellipsis"):
            items.append("…")
        else:
            label = chunk.split('">', 2)[-1].split("</a>")[0]
            items.append(f"[{label}]" if "--current" in chunk[:30] else label)
    return items


def test_a_long_list_of_pages_links_the_ends_and_two_either_side():
    assert links(2000, 4000) == ["1", "…", "1998", "1999", "[2000]", "2001", "2002", "…", "4000"]


def test_pages_near_an_end_leave_out_nothing_between():
    assert links(1, 4000) == ["[1]", "2", "3", "…", "4000"]
    assert links(4, 4000) == ["1", "2", "3", "[4]", "5", "6", "…", "4000"]
    assert links(3998, 4000) == ["1", "…", "3996", "3997", "[3998]", "3999", "4000"]


def test_a_short_list_links_every_page():
    assert links(2, 3) == ["1", "[2]", "3"]


def test_each_link_keeps_the_query_and_changes_the_page():
    page = Paginator(range(100), 10).page(5)
    request = RequestFactory().get("/actions/", {"q": "data", "page": 5})
    html = Template('{% include "includes/pagination.html" %}').render(
        Context({"page": page, "request": request})
    )
    assert 'href="?q=data&amp;page=6" rel="next"' in html
    assert 'href="?q=data&amp;page=10" aria-label="Page 10"' in html
